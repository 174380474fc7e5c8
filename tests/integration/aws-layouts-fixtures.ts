import { gzipSync } from 'node:zlib';
import type { EventSchemaName } from '../../src/schemas/events.js';

/**
 * A small bucket laid out as AWS delivers it: the keys, compression, framing and record shapes of
 * each service's documentation, with realistic sizes (CloudTrail records of 1–3 KB, ALB lines of
 * ~600 bytes). Each object lists the events it must produce, by record number.
 */
export interface AwsObject {
  key: string;
  body: Buffer;
  events: Array<{ recordNumber: number; schema: EventSchemaName; time: number }>;
}

const ACCOUNT = '111122223333';
const DAY = Date.UTC(2026, 10, 23, 9, 0, 0);
const at = (i: number) => DAY + i * 1_537;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const hex = (i: number, width: number) => (i * 2_654_435_761).toString(16).padStart(width, '0').slice(-width);
const ip = (i: number) => `198.51.100.${(i % 250) + 1}`;
const privateIp = (i: number) => `10.0.${(i >> 8) & 255}.${(i % 250) + 1}`;

function cloudTrailRecord(i: number): { record: Record<string, unknown>; schema: EventSchemaName } {
  const time = iso(at(i));
  const role = {
    type: 'AssumedRole',
    principalId: `AROA${hex(i, 16).toUpperCase()}:session-${i}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DeployRole/session-${i}`,
    accountId: ACCOUNT,
    accessKeyId: `ASIA${hex(i + 7, 16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROA${hex(i, 16).toUpperCase()}`,
        arn: `arn:aws:iam::${ACCOUNT}:role/DeployRole`,
        accountId: ACCOUNT,
        userName: 'DeployRole',
      },
      webIdFederationData: {},
      attributes: { creationDate: iso(at(i) - 600_000), mfaAuthenticated: 'false' },
    },
  };
  if (i % 9 === 4) {
    return {
      schema: 'Authentication',
      record: {
        eventVersion: '1.08',
        userIdentity: {
          type: 'IAMUser',
          principalId: `AIDA${hex(i, 16).toUpperCase()}`,
          arn: `arn:aws:iam::${ACCOUNT}:user/jane.doe`,
          accountId: ACCOUNT,
          userName: 'jane.doe',
        },
        eventTime: time,
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'us-east-1',
        sourceIPAddress: i % 2 === 0 ? ip(i) : '2001:db8::42',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        requestParameters: null,
        responseElements: { ConsoleLogin: i % 3 === 0 ? 'Failure' : 'Success' },
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
          MobileVersion: 'No',
          MFAUsed: 'Yes',
        },
        eventID: `${hex(i, 8)}-4678-4bcd-8fbe-${hex(i + 1, 12)}`,
        readOnly: false,
        eventType: 'AwsConsoleSignIn',
        managementEvent: true,
        recipientAccountId: ACCOUNT,
        eventCategory: 'Management',
        tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'signin.aws.amazon.com' },
      },
    };
  }
  const instances = Array.from({ length: 1 + (i % 4) }, (_, n) => ({ instanceId: `i-${hex(i * 10 + n, 17)}` }));
  return {
    schema: 'AuditEvent',
    record: {
      eventVersion: '1.09',
      userIdentity: role,
      eventTime: time,
      eventSource: 'ec2.amazonaws.com',
      eventName: i % 2 === 0 ? 'StartInstances' : 'DescribeInstances',
      awsRegion: 'us-east-1',
      sourceIPAddress: i % 5 === 0 ? 'autoscaling.amazonaws.com' : ip(i),
      userAgent:
        'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ec2.start-instances',
      requestParameters: { instancesSet: { items: instances } },
      responseElements:
        i % 2 === 0
          ? {
              requestId: `${hex(i, 8)}-5c5f-4b7a-9d1e-${hex(i + 3, 12)}`,
              instancesSet: {
                items: instances.map((x) => ({
                  ...x,
                  currentState: { code: 0, name: 'pending' },
                  previousState: { code: 80, name: 'stopped' },
                })),
              },
            }
          : null,
      requestID: `${hex(i, 8)}-5c5f-4b7a-9d1e-${hex(i + 3, 12)}`,
      eventID: `${hex(i + 11, 8)}-87ec-4d26-be87-${hex(i + 5, 12)}`,
      readOnly: i % 2 === 1,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'ec2.us-east-1.amazonaws.com' },
    },
  };
}

export function cloudTrailObject(prefix: string, records: number): AwsObject {
  const made = Array.from({ length: records }, (_, i) => cloudTrailRecord(i));
  return {
    key: `${prefix}AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/23/${ACCOUNT}_CloudTrail_us-east-1_20261123T0915Z_Mu0KsOhtH1ar15ZZ.json.gz`,
    body: gzipSync(JSON.stringify({ Records: made.map((m) => m.record) })),
    events: made.map((m, i) => ({ recordNumber: i, schema: m.schema, time: Date.parse(m.record.eventTime as string) })),
  };
}

export function cloudTrailRecordSizes(records: number): number[] {
  return Array.from({ length: records }, (_, i) => Buffer.byteLength(JSON.stringify(cloudTrailRecord(i).record)));
}

/** A digest file (log file integrity validation): one JSON object of hashes, no Records. */
export function cloudTrailDigest(prefix: string): AwsObject {
  const digest = {
    awsAccountId: ACCOUNT,
    digestStartTime: '2026-11-23T08:15:02Z',
    digestEndTime: '2026-11-23T09:15:02Z',
    digestS3Bucket: 'amzn-s3-demo-bucket',
    digestS3Object: `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/23/${ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261123T091502Z.json.gz`,
    digestPublicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: '2026-11-23T09:14:27Z',
    oldestEventTime: '2026-11-23T08:42:27Z',
    previousDigestS3Bucket: 'amzn-s3-demo-bucket',
    previousDigestHashValue: '97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d',
    previousDigestHashAlgorithm: 'SHA-256',
    logFiles: [
      {
        s3Bucket: 'amzn-s3-demo-bucket',
        s3Object: `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/23/${ACCOUNT}_CloudTrail_us-east-1_20261123T0915Z_Mu0KsOhtH1ar15ZZ.json.gz`,
        hashValue: '9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6',
        hashAlgorithm: 'SHA-256',
        newestEventTime: '2026-11-23T09:14:27Z',
        oldestEventTime: '2026-11-23T08:42:27Z',
      },
    ],
  };
  return {
    key: `${prefix}AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/23/${ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261123T091502Z.json.gz`,
    body: gzipSync(JSON.stringify(digest)),
    events: [],
  };
}

export function vpcFlowObject(lines: number): AwsObject {
  const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  const rows: string[] = [];
  const events: AwsObject['events'] = [];
  for (let i = 0; i < lines; i++) {
    const start = Math.floor(at(i) / 1000);
    rows.push(
      i % 40 === 39
        ? `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 - - - - - - - ${start} ${start + 58} - NODATA`
        : `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 ${privateIp(i)} ${ip(i)} ${49_152 + (i % 16_000)} ${[443, 22, 53, 3389][i % 4]} ${i % 7 === 0 ? 17 : 6} ${1 + (i % 90)} ${600 + i * 17} ${start} ${start + 60} ${i % 6 === 0 ? 'REJECT' : 'ACCEPT'} OK`,
    );
    events.push({ recordNumber: i + 1, schema: 'NetworkSession', time: start * 1000 });
  }
  return {
    key: `AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/2026/11/23/${ACCOUNT}_vpcflowlogs_us-east-1_fl-07f38b767c7cd46e3_20261123T0915Z_129a0cf7.log.gz`,
    body: gzipSync(`${[header, ...rows].join('\n')}\n`),
    events,
  };
}

/** An ALB access log line with every field of the current format (~600 bytes). */
function albLine(i: number): { line: string; time: number } {
  const time = at(i);
  const t = new Date(time).toISOString().replace('Z', '123Z');
  const created = new Date(time - 12).toISOString().replace('Z', '000Z');
  const target = `10.0.1.${(i % 200) + 10}:8080`;
  const line = [
    i % 3 === 0 ? 'h2' : 'https',
    t,
    'app/prod-web-alb/50dc6c495c0c9188',
    `${ip(i)}:${40_000 + i}`,
    target,
    '0.001',
    (0.012 + (i % 10) / 1000).toFixed(3),
    '0.000',
    i % 11 === 0 ? '404' : '200',
    i % 11 === 0 ? '404' : '200',
    String(420 + i),
    String(1_960 + i * 3),
    `"GET https://shop.example.com:443/api/v2/items/${100_000 + i}?page=${i % 20} HTTP/2.0"`,
    '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0"',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'TLSv1.2',
    `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/prod-web-tg/73e2d6bc24d8a067`,
    `"Root=1-${hex(i, 8)}-${hex(i + 9, 24)}"`,
    '"shop.example.com"',
    `"arn:aws:acm:us-east-1:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"`,
    '0',
    created,
    '"forward"',
    '"-"',
    '"-"',
    `"${target}"`,
    `"${i % 11 === 0 ? '404' : '200'}"`,
    '"-"',
    '"-"',
    `TID_${hex(i, 32)}`,
  ].join(' ');
  return { line, time: Date.parse(t) };
}

export function albObject(lines: number): AwsObject {
  const made = Array.from({ length: lines }, (_, i) => albLine(i));
  return {
    key: `AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/2026/11/23/${ACCOUNT}_elasticloadbalancing_us-east-1_app.prod-web-alb.50dc6c495c0c9188_20261123T0915Z_198.51.100.10_5k2x9q1f.log.gz`,
    body: gzipSync(`${made.map((m) => m.line).join('\n')}\n`),
    events: made.map((m, i) => ({ recordNumber: i, schema: 'WebSession', time: m.time })),
  };
}

/** Classic Load Balancer: the same folders, the older fields, and not compressed. */
export function classicElbObject(lines: number): AwsObject {
  const events: AwsObject['events'] = [];
  const rows = Array.from({ length: lines }, (_, i) => {
    const t = new Date(at(i)).toISOString().replace('Z', '497Z');
    events.push({ recordNumber: i, schema: 'WebSession', time: Date.parse(t) });
    return `${t} legacy-elb ${ip(i)}:${2_817 + i} 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://legacy.example.com:80/health HTTP/1.1" "curl/7.38.0" - -`;
  });
  return {
    key: `AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/2026/11/23/${ACCOUNT}_elasticloadbalancing_us-east-1_legacy-elb_20261123T0915Z_198.51.100.11_20sg8hgm.log`,
    body: Buffer.from(`${rows.join('\n')}\n`),
    events,
  };
}

export function wafObject(records: number): AwsObject {
  const events: AwsObject['events'] = [];
  const rows = Array.from({ length: records }, (_, i) => {
    const timestamp = at(i);
    events.push({ recordNumber: i, schema: 'WebSession', time: timestamp });
    const blocked = i % 4 === 0;
    return JSON.stringify({
      timestamp,
      formatVersion: 1,
      webaclId: `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/prod-web-acl/1a2b3c4d-5e6f-7a8b-9c0d-${hex(1, 12)}`,
      terminatingRuleId: blocked ? 'AWS-AWSManagedRulesCommonRuleSet' : 'Default_Action',
      terminatingRuleType: blocked ? 'MANAGED_RULE_GROUP' : 'REGULAR',
      action: blocked ? 'BLOCK' : 'ALLOW',
      terminatingRuleMatchDetails: [],
      httpSourceName: 'ALB',
      httpSourceId: `${ACCOUNT}-app/prod-web-alb/50dc6c495c0c9188`,
      ruleGroupList: [
        {
          ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
          terminatingRule: blocked ? { ruleId: 'SizeRestrictions_QUERYSTRING', action: 'BLOCK' } : null,
          nonTerminatingMatchingRules: [],
          excludedRules: null,
        },
      ],
      rateBasedRuleList: [],
      nonTerminatingMatchingRules: [],
      requestHeadersInserted: null,
      responseCodeSent: null,
      httpRequest: {
        clientIp: i % 10 === 3 ? '2001:db8::7' : ip(i),
        country: ['US', 'DE', 'FR', 'BR'][i % 4],
        headers: [
          { name: 'Host', value: 'shop.example.com' },
          { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' },
          { name: 'Accept', value: 'text/html' },
          { name: 'Cookie', value: `session=${hex(i, 32)}` },
        ],
        uri: `/search`,
        args: `q=item-${i}`,
        httpVersion: 'HTTP/2.0',
        httpMethod: 'GET',
        requestId: `1-${hex(i, 8)}-${hex(i + 1, 24)}`,
      },
      labels: blocked ? [{ name: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_QueryString' }] : [],
    });
  });
  return {
    key: `AWSLogs/${ACCOUNT}/WAFLogs/us-east-1/prod-web-acl/2026/11/23/09/15/${ACCOUNT}_waflogs_us-east-1_prod-web-acl_20261123T0915Z_e0ca43b5.log.gz`,
    body: gzipSync(`${rows.join('\n')}\n`),
    events,
  };
}

export function guardDutyObject(findings: number): AwsObject {
  const events: AwsObject['events'] = [];
  const rows = Array.from({ length: findings }, (_, i) => {
    const updatedAt = new Date(at(i)).toISOString();
    events.push({ recordNumber: i, schema: 'Event', time: Date.parse(updatedAt) });
    return JSON.stringify({
      schemaVersion: '2.0',
      accountId: ACCOUNT,
      region: 'us-east-1',
      partition: 'aws',
      id: hex(i, 32),
      arn: `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${hex(i, 32)}`,
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      resource: {
        resourceType: 'Instance',
        instanceDetails: {
          instanceId: `i-${hex(i, 17)}`,
          instanceType: 'm5.large',
          networkInterfaces: [{ privateIpAddress: privateIp(i), subnetId: 'subnet-0a1b2c3d', vpcId: 'vpc-0a1b2c3d' }],
        },
      },
      service: {
        serviceName: 'guardduty',
        detectorId: '12abc34d567e8fa901bc2d34e56789f0',
        action: {
          actionType: 'NETWORK_CONNECTION',
          networkConnectionAction: {
            connectionDirection: 'INBOUND',
            remoteIpDetails: { ipAddressV4: ip(i + 100), country: { countryName: 'Netherlands' } },
            remotePortDetails: { port: 40_000 + i, portName: 'Unknown' },
            localPortDetails: { port: 22, portName: 'SSH' },
            protocol: 'TCP',
            blocked: false,
          },
        },
        eventFirstSeen: new Date(at(i) - 3_600_000).toISOString(),
        eventLastSeen: updatedAt,
        archived: false,
        count: 10 + i,
      },
      severity: [2, 5, 8][i % 3],
      createdAt: new Date(at(i) - 3_000_000).toISOString(),
      updatedAt,
      title: `${ip(i + 100)} is performing SSH brute force attacks against i-${hex(i, 17)}.`,
      description: `${ip(i + 100)} is performing SSH brute force attacks against i-${hex(i, 17)}. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.`,
    });
  });
  return {
    key: `AWSLogs/${ACCOUNT}/GuardDuty/us-east-1/2026/11/23/07a3f2ce-1485-3031-b842-e1f324c4a48d.jsonl.gz`,
    body: gzipSync(`${rows.join('\n')}\n`),
    events,
  };
}

/** Server access logs at the bucket's root (no target prefix), in S3's simple key format, not compressed. */
export function s3AccessObject(lines: number): AwsObject {
  const owner = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
  const events: AwsObject['events'] = [];
  const rows = Array.from({ length: lines }, (_, i) => {
    const time = Math.floor(at(i) / 1000) * 1000;
    events.push({ recordNumber: i, schema: 'WebSession', time });
    const d = new Date(time);
    const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
    const clf = `${String(d.getUTCDate()).padStart(2, '0')}/${month}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
    const denied = i % 7 === 0;
    return `${owner} amzn-s3-demo-bucket1 [${clf}] ${ip(i)} ${denied ? '-' : `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/i-${hex(i, 17)}`} ${hex(i, 16).toUpperCase()} REST.GET.OBJECT reports/2026/report-${i}.csv "GET /reports/2026/report-${i}.csv HTTP/1.1" ${denied ? '403 AccessDenied 243 -' : `200 - ${4_096 + i} ${4_096 + i}`} 21 ${denied ? '-' : '18'} "-" "aws-sdk-java/2.29.0 Linux/6.8 OpenJDK_64-Bit_Server_VM/21.0.5" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-east-1.amazonaws.com TLSv1.3 - - us-east-1`;
  });
  return { key: '2026-11-23-09-15-02-E568B2907131C0C0', body: Buffer.from(`${rows.join('\n')}\n`), events };
}
