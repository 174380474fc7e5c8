import { describe, expect, it } from 'vitest';
import { parserFor } from './parser-support.js';

// Samples follow the AWS documentation's examples for each log, with the ugly cases real buckets hold.

describe('CloudTrail records', () => {
  const p = parserFor({ format: 'cloudtrail' });

  it('maps an IAM API call to an AuditEvent keyed by the actor', () => {
    const e = p.event(
      '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA6ON6E4XEGITEXAMPLE","arn":"arn:aws:iam::888888888888:user/Alice","accountId":"888888888888","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice"},"eventTime":"2023-07-19T21:17:28Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"aws-cli/2.13.5 Python/3.11.4","requestParameters":{"userName":"Richard"},"responseElements":{"user":{"path":"/","userName":"Richard"}},"requestID":"2d528c76-329e-410b-9516-EXAMPLE565dc","eventID":"ba0801a1-87ec-4d26-be87-EXAMPLE75bbb","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"888888888888","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2"}}',
    );
    expect(e).toMatchObject({
      EventSchema: 'AuditEvent',
      EventType: 'Create',
      EventResult: 'Success',
      Operation: 'CreateUser',
      TimeGenerated: Date.parse('2023-07-19T21:17:28Z'),
      ActorUsername: 'Alice',
      ActorUserType: 'IAMUser',
      ActorUserId: 'AIDA6ON6E4XEGITEXAMPLE',
      SrcIpAddr: '192.0.2.0',
      TargetAppName: 'iam.amazonaws.com',
      DvcScopeId: '888888888888',
      EventOriginalUid: 'ba0801a1-87ec-4d26-be87-EXAMPLE75bbb',
      EventProduct: 'CloudTrail',
      EntityKey: 'ActorUsername:Alice',
    });
    expect(e.AdditionalFields).toMatchObject({
      awsRegion: 'us-east-1',
      requestParameters: '{"userName":"Richard"}',
      eventCategory: 'Management',
    });
  });

  it('maps a failed console sign-in from IPv6 to Authentication', () => {
    const e = p.event(
      '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","accountId":"111122223333","accessKeyId":"","userName":"JaneDoe"},"eventTime":"2014-07-08T17:35:27Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-2","sourceIPAddress":"2001:db8::ff00:42:8329","userAgent":"Mozilla/5.0 (Windows NT 6.1; WOW64; rv:24.0) Gecko/20100101 Firefox/24.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"11ea990b-4678-4bcd-8fbe-62509088b7cf","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}',
    );
    expect(e).toMatchObject({
      EventSchema: 'Authentication',
      EventType: 'Logon',
      EventResult: 'Failure',
      EventMessage: 'Failed authentication',
      SrcIpAddr: '2001:db8::ff00:42:8329',
      TargetUsername: 'JaneDoe',
      LogonMethod: 'Username & password',
      EntityKey: 'TargetUsername:JaneDoe',
    });
  });

  it('keeps a service name in SrcHostname, reads readOnly calls as Read, and takes fractional seconds', () => {
    const e = p.event(
      '{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":"2026-11-01T08:00:00.123Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","sourceIPAddress":"ec2.amazonaws.com","readOnly":true,"resources":[{"accountId":"123456789012","type":"AWS::IAM::Role","ARN":"arn:aws:iam::123456789012:role/ec2-role"}],"eventType":"AwsApiCall","eventID":"e3","recipientAccountId":"123456789012","brandNewField":{"x":1}}',
    );
    expect(e).toMatchObject({
      EventType: 'Read',
      SrcIpAddr: null,
      SrcHostname: 'ec2.amazonaws.com',
      ActorUsername: null,
      Object: 'arn:aws:iam::123456789012:role/ec2-role',
      ObjectType: 'AWS::IAM::Role',
      TimeGenerated: Date.parse('2026-11-01T08:00:00.123Z'),
      EntityKey: 'none:b/k',
    });
    expect(e.AdditionalFields.brandNewField).toBe('{"x":1}');
  });

  it('marks an error code as a failure and keys an assumed role by its issuer', () => {
    const e = p.event(
      '{"eventTime":"2026-11-01T08:00:00Z","eventName":"DeleteBucket","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","errorMessage":"Access Denied","sourceIPAddress":"AWS Internal","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:bob","arn":"arn:aws:sts::1:assumed-role/Admin/bob","sessionContext":{"sessionIssuer":{"userName":"Admin"}}},"eventType":"AwsApiCall","eventID":"e4"}',
    );
    expect(e).toMatchObject({
      EventType: 'Delete',
      EventResult: 'Failure',
      EventResultDetails: 'AccessDenied',
      ActorUsername: 'Admin',
      SrcHostname: 'AWS Internal',
    });
  });

  it('rejects a whole file, a digest record, broken JSON and an empty line', () => {
    expect(p.reject('{"Records":[{"eventTime":"2026-11-01T00:00:00Z"}]}').message).toContain('Records array');
    expect(p.reject('{"awsAccountId":"1","digestStartTime":"2026-11-01T00:00:00Z"}').message).toContain('eventTime: missing');
    expect(p.reject('{"eventTime":"2026-11-01T00:00:00Z",').code).toBe('RECORD_UNPARSEABLE');
    expect(p.reject('   ').message).toContain('empty record');
    expect(p.reject('{"eventTime":"yesterday"}').message).toContain('eventTime: expected a timestamp');
  });
});

describe('VPC flow logs', () => {
  const p = parserFor({ format: 'vpcflow' });

  it('maps the default version 2 format', () => {
    const e = p.event('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK');
    expect(e).toMatchObject({
      EventSchema: 'NetworkSession',
      SrcIpAddr: '172.31.16.139',
      DstIpAddr: '172.31.16.21',
      SrcPortNumber: 20641,
      DstPortNumber: 22,
      NetworkProtocol: 'TCP',
      NetworkPackets: 20,
      SrcBytes: 4249,
      TimeGenerated: 1_418_530_010_000,
      EventEndTime: 1_418_530_070_000,
      DvcAction: 'Allow',
      EventResult: 'Success',
      DvcInterface: 'eni-1235b8ca123456789',
      DvcScopeId: '123456789010',
      EntityKey: 'SrcIpAddr:172.31.16.139',
    });
    expect(e.AdditionalFields).toEqual({ version: '2', 'account-id': '123456789010', 'interface-id': 'eni-1235b8ca123456789' });
  });

  it('maps REJECT, IPv6 and the NODATA / SKIPDATA rows', () => {
    expect(
      p.event('2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK'),
    ).toMatchObject({
      DvcAction: 'Deny',
      EventResult: 'Failure',
    });
    expect(
      p.event(
        '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK',
      ).SrcIpAddr,
    ).toBe('2001:db8:1234:a100:8d6e:3477:df66:f105');
    const nodata = p.event('2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA');
    expect(nodata).toMatchObject({
      SrcIpAddr: null,
      DvcAction: null,
      EventResult: 'NA',
      EventResultDetails: 'NODATA',
      TimeGenerated: 1_431_280_876_000,
      EntityKey: 'none:b/k',
    });
    expect(p.event('2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA').EventResultDetails).toBe(
      'SKIPDATA',
    );
  });

  it('learns a custom (v5) layout from the header line of the same object', () => {
    const header = p.run(
      'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path',
      { key: 'custom.log' },
    );
    expect(header.kind).toBe('header');
    const e = p.event(
      '5 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK ingress -',
      { key: 'custom.log', offset: '2' },
    );
    expect(e).toMatchObject({
      SrcIpAddr: '52.213.180.42',
      SrcBytes: 568,
      NetworkPackets: 8,
      Dvc: 'i-01234567890123456',
      NetworkDirection: 'Inbound',
    });
    expect(e.AdditionalFields).toMatchObject({ 'vpc-id': 'vpc-abcdefab012345678', 'tcp-flags': '2', type: 'IPv4' });
    expect(e.AdditionalFields['traffic-path']).toBeUndefined();
    // another object without a header still reads as the configured default
    expect(p.reject('5 vpc-a subnet-b', { key: 'other.log' }).message).toContain('expected 14 space-separated fields');
  });

  it('takes the layout from the s3-source header when the header line went to another instance', () => {
    const fresh = parserFor({ format: 'vpcflow' });
    const e = fresh.event('eni-1 10.0.0.1 10.0.0.2 ACCEPT 1566848875 OK', {
      key: 'x',
      headers: { 'siem.s3.header-line': 'interface-id srcaddr dstaddr action start log-status' },
    });
    expect(e).toMatchObject({ DvcInterface: 'eni-1', DstIpAddr: '10.0.0.2', DvcAction: 'Allow' });
  });

  it('uses a configured field list and rejects bad rows', () => {
    const custom = parserFor({ format: 'vpcflow', fields: ['srcaddr', 'dstaddr', 'start', 'action'] });
    expect(custom.event('10.0.0.1 10.0.0.2 1566848875 REJECT').DvcAction).toBe('Deny');
    expect(p.reject('2 123456789010 eni-1 10.0.0.999 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK').message).toContain(
      'srcaddr: expected an IPv4 or IPv6 address',
    );
    expect(p.reject('2 123456789010 eni-1 10.0.0.1 172.31.16.21 99999 22 6 20 4249 1418530010 1418530070 ACCEPT OK').message).toContain(
      'srcport',
    );
    expect(p.reject('2 123456789010 eni-1 10.0.0.1 172.31.16.21 1 22 6 20 4249 - - ACCEPT OK').message).toContain(
      'start/end: both missing',
    );
    expect(p.reject('').code).toBe('RECORD_UNPARSEABLE');
  });
});

describe('ALB access logs', () => {
  const p = parserFor({ format: 'alb' });
  const sample =
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"';

  it('maps the documented HTTP entry to a WebSession', () => {
    const e = p.event(sample);
    expect(e).toMatchObject({
      EventSchema: 'WebSession',
      TimeGenerated: Date.parse('2018-07-02T22:23:00.186Z'),
      EventStartTime: Date.parse('2018-07-02T22:22:48.364Z'),
      SrcIpAddr: '192.168.131.39',
      SrcPortNumber: 2817,
      DstIpAddr: '10.0.0.1',
      DstPortNumber: 80,
      HttpStatusCode: 200,
      HttpRequestMethod: 'GET',
      Url: 'http://www.example.com:80/',
      HttpUserAgent: 'curl/7.46.0',
      SrcBytes: 34,
      DstBytes: 366,
      EventResult: 'Success',
      EventOriginalUid: 'Root=1-58337262-36d228ad5d99923122bbe354',
      Dvc: 'app/my-loadbalancer/50dc6c495c0c9188',
    });
    expect(e.AdditionalFields).toMatchObject({ actions_executed: 'forward', matched_rule_priority: '0' });
  });

  it('reads an IPv6 client, a missing target, a quoted quote in the agent and fields AWS added later', () => {
    const e = p.event(
      'h2 2026-11-01T10:00:00.000000Z app/lb/1 2001:db8::7:51234 - -1 -1 -1 502 - 0 277 "POST https://api.example.com:443/v1/login?x=a,b HTTP/2.0" "Mozilla \\"quoted\\" 5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-x" "api.example.com" "arn:aws:acm:cert" 1 2026-11-01T09:59:59.900000Z "waf,forward" "-" "Target.ResponseCodeMismatch" "-" "-" "-" "-" TID_1 "new-field"',
    );
    expect(e).toMatchObject({
      SrcIpAddr: '2001:db8::7',
      SrcPortNumber: 51234,
      DstIpAddr: null,
      HttpStatusCode: 502,
      EventResult: 'Failure',
      EventResultDetails: 'Target.ResponseCodeMismatch',
      Url: 'https://api.example.com:443/v1/login?x=a,b',
      HttpUserAgent: 'Mozilla "quoted" 5.0',
      DstHostname: 'api.example.com',
    });
    expect(e.AdditionalFields.extra_1).toBe('new-field');
  });

  it('reads Classic Load Balancer lines (no type field)', () => {
    const e = p.event(
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
    );
    expect(e).toMatchObject({
      EventProduct: 'Classic Load Balancer',
      SrcIpAddr: '192.168.131.39',
      HttpStatusCode: 200,
      DstBytes: 29,
      Dvc: 'my-loadbalancer',
    });
  });

  it('rejects truncated lines, unknown types and bad status codes', () => {
    expect(p.reject('http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:1').message).toContain('expected at least 13');
    expect(p.reject(sample.replace(/^http/, 'ftp')).message).toContain('type: expected one of');
    expect(p.reject(sample.replace(' 200 200 ', ' OK 200 ')).message).toContain('elb_status_code');
  });
});

describe('GuardDuty findings', () => {
  const p = parserFor({ format: 'guardduty' });
  const finding = {
    schemaVersion: '2.0',
    accountId: '123456789012',
    region: 'us-east-1',
    id: '16afba5c5c43e07c9e3e5e2e544e95df',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    resource: {
      resourceType: 'Instance',
      instanceDetails: { instanceId: 'i-99999999', networkInterfaces: [{ privateIpAddress: '10.0.0.1', publicIp: '198.51.100.0' }] },
    },
    service: {
      serviceName: 'guardduty',
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: 'INBOUND',
          remoteIpDetails: { ipAddressV4: '198.51.100.7', country: { countryName: 'Exampleland' } },
          remotePortDetails: { port: 32794 },
          localPortDetails: { port: 22, portName: 'SSH' },
          protocol: 'TCP',
          blocked: false,
        },
      },
      eventFirstSeen: '2026-11-01T09:00:00.000Z',
      eventLastSeen: '2026-11-01T09:30:00.000Z',
      count: 42,
    },
    severity: 2,
    createdAt: '2026-11-01T09:01:00.000Z',
    updatedAt: '2026-11-01T09:31:00.000Z',
    title: '198.51.100.7 is performing SSH brute force attacks against i-99999999.',
  };

  it('maps a network finding to an Event with threat and network fields', () => {
    const e = p.event(JSON.stringify(finding));
    expect(e).toMatchObject({
      EventSchema: 'Event',
      EventType: 'Alert',
      TimeGenerated: Date.parse('2026-11-01T09:31:00Z'),
      EventStartTime: Date.parse('2026-11-01T09:00:00Z'),
      ThreatName: 'UnauthorizedAccess:EC2/SSHBruteForce',
      ThreatCategory: 'UnauthorizedAccess',
      EventSeverity: 'Low',
      EventOriginalSeverity: '2',
      SrcIpAddr: '198.51.100.7',
      SrcPortNumber: 32794,
      DstIpAddr: '10.0.0.1',
      DstPortNumber: 22,
      NetworkDirection: 'Inbound',
      Dvc: 'i-99999999',
      EntityKey: 'SrcIpAddr:198.51.100.7',
    });
    expect(e.AdditionalFields).toMatchObject({ count: '42', remoteCountry: 'Exampleland', region: 'us-east-1' });
  });

  it('unwraps an EventBridge event and reads an API-call finding from IPv6', () => {
    const detail = {
      ...finding,
      type: 'Recon:IAMUser/MaliciousIPCaller',
      severity: 8.5,
      resource: { resourceType: 'AccessKey', accessKeyDetails: { userName: 'ci-bot', principalId: 'AIDAEXAMPLE' } },
      service: {
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: { api: 'ListBuckets', serviceName: 's3.amazonaws.com', remoteIpDetails: { ipAddressV6: '2001:db8::66' } },
        },
      },
    };
    const e = p.event(JSON.stringify({ version: '0', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail }));
    expect(e).toMatchObject({
      EventSeverity: 'High',
      Operation: 'ListBuckets',
      SrcIpAddr: '2001:db8::66',
      ActorUsername: 'ci-bot',
      ThreatCategory: 'Recon',
    });
  });

  it('rejects what is not a finding', () => {
    expect(p.reject('{"id":"x"}').message).toContain('not a GuardDuty finding');
    expect(p.reject(JSON.stringify({ ...finding, updatedAt: 'never', createdAt: undefined })).code).toBe('RECORD_INVALID');
  });
});
