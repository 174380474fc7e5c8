import { mulberry32 } from '../src/util/seeded-random.js';
/**
 * Realistic raw records per log type of topologies/default.yaml, varied by a seeded generator so
 * the bench parses many distinct entities, addresses and timestamps rather than one cached line.
 */
export function benchRecord(logType: string, i: number, random: () => number): string {
  const ip = (net: string) => `${net}.${Math.floor(random() * 250) + 1}`;
  const time = Date.UTC(2026, 10, 1) + i * 137;
  const iso = new Date(time).toISOString();
  const port = 1024 + Math.floor(random() * 60_000);
  const user = `user${Math.floor(random() * 200)}`;
  switch (logType) {
    case 'firewall':
      return JSON.stringify({
        id: `fw-${i}`,
        ts: iso,
        src: { ip: ip('10.0.3'), port },
        dst: { ip: ip('192.0.2'), port: 443 },
        proto: 'tcp',
        action: random() < 0.9 ? 'allow' : 'deny',
        bytes: Math.floor(random() * 100_000),
        rule: `r-${i % 10}`,
      });
    case 'cloudtrail':
      return JSON.stringify({
        eventVersion: '1.08',
        userIdentity: {
          type: 'IAMUser',
          principalId: `AIDA${i}`,
          arn: `arn:aws:iam::123456789012:user/${user}`,
          accountId: '123456789012',
          userName: user,
        },
        eventTime: iso.replace(/\.\d+Z$/, 'Z'),
        eventSource: 's3.amazonaws.com',
        eventName: random() < 0.7 ? 'GetObject' : 'PutObject',
        awsRegion: 'eu-west-1',
        sourceIPAddress: ip('203.0.113'),
        userAgent: 'aws-cli/2.13.5 Python/3.11.4',
        requestParameters: { bucketName: 'data', key: `k/${i}` },
        responseElements: null,
        requestID: `req-${i}`,
        eventID: `evt-${i}`,
        readOnly: false,
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/k/${i}` }],
        eventType: 'AwsApiCall',
        recipientAccountId: '123456789012',
      });
    case 'vpcflow':
      return `2 123456789010 eni-1235b8ca123456789 ${ip('172.31.16')} ${ip('172.31.9')} ${port} 22 6 ${Math.floor(random() * 100)} ${Math.floor(random() * 10_000)} ${Math.floor(time / 1000)} ${Math.floor(time / 1000) + 60} ${random() < 0.8 ? 'ACCEPT' : 'REJECT'} OK`;
    case 'alb':
      return `https ${iso} app/my-lb/50dc6c495c0c9188 ${ip('198.51.100')}:${port} 10.0.0.1:80 0.000 0.001 0.000 200 200 ${Math.floor(random() * 1000)} ${Math.floor(random() * 10_000)} "GET https://www.example.com:443/p/${i}?q=a,b HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2 "Root=1-${i}" "www.example.com" "arn:aws:acm:cert" 0 ${iso} "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`;
    case 'guardduty':
      return JSON.stringify({
        schemaVersion: '2.0',
        accountId: '123456789012',
        region: 'us-east-1',
        id: `finding-${i}`,
        type: 'UnauthorizedAccess:EC2/SSHBruteForce',
        resource: {
          resourceType: 'Instance',
          instanceDetails: { instanceId: 'i-99999999', networkInterfaces: [{ privateIpAddress: '10.0.0.1' }] },
        },
        service: {
          action: {
            actionType: 'NETWORK_CONNECTION',
            networkConnectionAction: {
              connectionDirection: 'INBOUND',
              remoteIpDetails: { ipAddressV4: ip('198.51.100') },
              remotePortDetails: { port },
              localPortDetails: { port: 22 },
              protocol: 'TCP',
              blocked: false,
            },
          },
          eventFirstSeen: iso,
          eventLastSeen: iso,
          count: 3,
        },
        severity: 2,
        createdAt: iso,
        updatedAt: iso,
        title: 'SSH brute force',
      });
    case 'waf':
      return JSON.stringify({
        timestamp: time,
        formatVersion: 1,
        webaclId: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web-acl/1a2b3c4d',
        terminatingRuleId: random() < 0.8 ? 'Default_Action' : 'AWS-AWSManagedRulesCommonRuleSet',
        terminatingRuleType: 'REGULAR',
        action: random() < 0.8 ? 'ALLOW' : 'BLOCK',
        httpSourceName: 'ALB',
        ruleGroupList: [],
        rateBasedRuleList: [],
        nonTerminatingMatchingRules: [],
        httpRequest: {
          clientIp: ip('198.51.100'),
          country: 'US',
          headers: [
            { name: 'Host', value: 'www.example.com' },
            { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64)' },
          ],
          uri: `/p/${i}`,
          args: 'q=a',
          httpVersion: 'HTTP/2.0',
          httpMethod: 'GET',
          requestId: `req-${i}`,
        },
        labels: [],
      });
    case 's3access':
      return `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be data [01/Nov/2026:11:59:01 +0000] ${ip('198.51.100')} arn:aws:iam::123456789012:user/${user} ${i.toString(16).toUpperCase().padStart(16, '0')} REST.GET.OBJECT k/${i} "GET /data/k/${i} HTTP/1.1" ${random() < 0.9 ? '200 -' : '403 AccessDenied'} ${Math.floor(random() * 5000)} 5000 12 10 "-" "aws-sdk-java/2.29.0" - hostid= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader data.s3.us-east-1.amazonaws.com TLSv1.3 - - us-east-1`;
    case 'cef':
      return `CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|${Math.floor(random() * 10)}|src=${ip('10.0.0')} dst=${ip('2.1.2')} spt=${port} dpt=443 proto=TCP act=blocked a \\= b rt=${time} suser=${user} cs1Label=Policy cs1=Default policy msg=Line one\\nLine two`;
    case 'syslog':
      return `<34>1 ${iso} host-${i % 50}.example.com sshd ${i % 9000} ID47 [origin ip="${ip('192.0.2')}"] Failed password for ${user} from ${ip('203.0.113')} port ${port} ssh2`;
    case 'fortigate':
      return `date=2026-11-01 time=11:37:47 logid="0000000013" type="traffic" subtype="forward" level="notice" vd="vdom1" eventtime=${time}000000 srcip=${ip('10.1.100')} srcport=${port} srcintf="port12" dstip=${ip('23.57.57')} dstport=443 dstintf="port11" sessionid=${i} proto=6 action="${random() < 0.9 ? 'close' : 'deny'}" policyid=1 service="HTTPS" dstcountry="United States" duration=2 sentbyte=3652 rcvdbyte=124029 sentpkt=58 rcvdpkt=105 devname="FGT-1" devid="FG100E4Q17000000" tz="-0700"`;
    case 'nginx':
      return `${ip('198.51.100')} - ${random() < 0.5 ? '-' : user} [01/Nov/2026:11:59:01 +0100] "GET /p/${i}?x=1 HTTP/1.1" ${random() < 0.9 ? 200 : 404} ${Math.floor(random() * 5000)} "https://www.example.com/" "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0"`;
    default:
      throw new Error(`no bench records for log type ${logType}`);
  }
}

/** JSON formats: the ones with the ≥ 0.6 throughput-ratio goal. */
export const JSON_LOG_TYPES = new Set(['firewall', 'cloudtrail', 'guardduty', 'waf']);

export const seeded = mulberry32;
