import { describe, expect, it } from 'vitest';
import { parserFor } from './parser-support.js';

// Samples follow the AWS documentation's examples (WAF log fields, Amazon S3 server access log format).

const WAF_BLOCK = JSON.stringify({
  timestamp: 1683355579981,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/example-web-acl/1a2b3c4d-5e6f-7a8b-9c0d-EXAMPLE11111',
  terminatingRuleId: 'RateBasedRule',
  terminatingRuleType: 'RATE_BASED',
  action: 'BLOCK',
  terminatingRuleMatchDetails: [],
  httpSourceName: 'APIGW',
  httpSourceId: 'EXAMPLE11:rjvegx5guh:CanaryTest',
  ruleGroupList: [],
  rateBasedRuleList: [
    { rateBasedRuleId: 'e1', rateBasedRuleName: 'RateBasedRule', limitKey: 'IP', maxRateAllowed: 100, limitValue: '52.46.82.45' },
  ],
  nonTerminatingMatchingRules: [],
  requestHeadersInserted: null,
  responseCodeSent: null,
  httpRequest: {
    clientIp: '52.46.82.45',
    country: 'FR',
    headers: [
      { name: 'X-Forwarded-For', value: '52.46.82.45' },
      { name: 'host', value: 'rjvegx5guh.execute-api.eu-west-3.amazonaws.com' },
      { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64)' },
      { name: 'Authorization', value: 'Bearer secret-token' },
      { name: 'Referer', value: 'https://example.com/start' },
    ],
    uri: '/CanaryTest',
    args: 'a=1&b=2',
    httpVersion: 'HTTP/1.1',
    httpMethod: 'GET',
    requestId: 'Ed0AiHF_CGYF-DA=',
  },
  labels: [{ name: 'awswaf:managed:aws:core-rule-set:NoUserAgent_Header' }],
});

describe('AWS WAF log records', () => {
  const p = parserFor({ format: 'waf' });

  it('maps a blocked request to a WebSession with the rule, the client and the request', () => {
    const e = p.event(WAF_BLOCK);
    expect(e).toMatchObject({
      EventSchema: 'WebSession',
      EventType: 'HTTPsession',
      EventProduct: 'WAF',
      EventVendor: 'AWS',
      TimeGenerated: 1683355579981,
      EventResult: 'Failure',
      DvcAction: 'Deny',
      NetworkRuleName: 'RateBasedRule',
      EventSubType: 'RATE_BASED',
      EventOriginalUid: 'Ed0AiHF_CGYF-DA=',
      SrcIpAddr: '52.46.82.45',
      HttpRequestMethod: 'GET',
      Url: '/CanaryTest?a=1&b=2',
      DstHostname: 'rjvegx5guh.execute-api.eu-west-3.amazonaws.com',
      HttpUserAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      HttpStatusCode: null,
      DvcScopeId: '123456789012',
      EntityKey: 'SrcIpAddr:52.46.82.45',
    });
    expect(e.Dvc).toContain(':regional/webacl/example-web-acl/');
    expect(e.AdditionalFields).toMatchObject({
      country: 'FR',
      httpSourceName: 'APIGW',
      Referer: 'https://example.com/start',
      action: 'BLOCK',
    });
    expect(JSON.parse(e.AdditionalFields.labels as string)).toHaveLength(1);
    expect(JSON.stringify(e.AdditionalFields)).not.toContain('secret-token');
  });

  it('keeps a CAPTCHA or CHALLENGE as neither allowed nor denied, and a custom response code', () => {
    const challenged = JSON.parse(WAF_BLOCK) as Record<string, unknown>;
    challenged.action = 'CHALLENGE';
    challenged.responseCodeSent = 202;
    const e = p.event(JSON.stringify(challenged));
    expect(e).toMatchObject({ EventResult: 'NA', EventResultDetails: 'CHALLENGE', DvcAction: null, HttpStatusCode: 202 });
  });

  it('reads an IPv6 client, and dead-letters what is no WAF record', () => {
    const v6 = JSON.parse(WAF_BLOCK) as { action: string; httpRequest: Record<string, unknown> };
    v6.action = 'ALLOW';
    v6.httpRequest.clientIp = '2001:db8::7';
    expect(p.event(JSON.stringify(v6))).toMatchObject({ SrcIpAddr: '2001:db8::7', EventResult: 'Success', DvcAction: 'Allow' });
    expect(p.reject('{"timestamp":1}').message).toContain('not an AWS WAF log record');
    const badIp = JSON.parse(WAF_BLOCK) as { httpRequest: Record<string, unknown> };
    badIp.httpRequest.clientIp = 'nope';
    expect(p.reject(JSON.stringify(badIp)).message).toContain('httpRequest.clientIp: expected an IPv4 or IPv6 address');
  });
});

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

describe('Amazon S3 server access log records', () => {
  const p = parserFor({ format: 's3-access' });

  it('maps a documented record (all 27 fields) to a WebSession on the bucket and key', () => {
    const e = p.event(
      `${OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice 3E57427F3EXAMPLE REST.GET.OBJECT photos/2019/cat%20one.jpg "GET /amzn-s3-demo-bucket1/photos/2019/cat%20one.jpg HTTP/1.1" 200 - 2662992 3462992 70 10 "-" "aws-sdk-java/1.12 Linux/5.10" 3HL4kqtJvjVBH40Nrjfkd s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1`,
    );
    expect(e).toMatchObject({
      EventSchema: 'WebSession',
      EventProduct: 'S3',
      EventVendor: 'AWS',
      TimeGenerated: Date.parse('2019-02-06T00:00:38Z'),
      SrcIpAddr: '192.0.2.3',
      ActorUsername: 'arn:aws:iam::123456789012:user/alice',
      EventOriginalUid: '3E57427F3EXAMPLE',
      Operation: 'REST.GET.OBJECT',
      Object: 'amzn-s3-demo-bucket1/photos/2019/cat%20one.jpg',
      Dvc: 'amzn-s3-demo-bucket1',
      HttpRequestMethod: 'GET',
      Url: '/amzn-s3-demo-bucket1/photos/2019/cat%20one.jpg',
      HttpStatusCode: 200,
      EventResult: 'Success',
      EventResultDetails: null,
      DstBytes: 2662992,
      HttpUserAgent: 'aws-sdk-java/1.12 Linux/5.10',
      DstHostname: 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com',
    });
    expect(e.AdditionalFields).toMatchObject({
      bucket_owner: OWNER,
      object_size: '3462992',
      total_time: '70',
      version_id: '3HL4kqtJvjVBH40Nrjfkd',
      signature_version: 'SigV4',
      tls_version: 'TLSV1.2',
      acl_required: 'Yes',
      source_region: 'us-east-1',
      HttpVersion: 'HTTP/1.1',
    });
  });

  it('reads an anonymous failed request, an older record with fewer fields, and fields AWS adds later', () => {
    const denied = p.event(
      `${OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 2001:db8::1 - 891CE47D2EXAMPLE REST.GET.OBJECT secret.txt "GET /secret.txt HTTP/1.1" 403 AccessDenied 243 - 11 - "-" "curl/8.5.0" - hostid= SigV4 ECDHE-RSA-AES128-GCM-SHA256 - amzn-s3-demo-bucket1.s3.amazonaws.com TLSv1.3 - - - future-field`,
    );
    expect(denied).toMatchObject({
      ActorUsername: null,
      SrcIpAddr: '2001:db8::1',
      EventResult: 'Failure',
      EventResultDetails: 'AccessDenied',
    });
    expect(denied.AdditionalFields.extra_1).toBe('future-field');
    const old = p.event(`${OWNER} b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 1 REST.HEAD.BUCKET - "HEAD /b HTTP/1.1" 200`);
    expect(old).toMatchObject({ Operation: 'REST.HEAD.BUCKET', Object: null, HttpStatusCode: 200 });
  });

  it('dead-letters lines that are not access log records', () => {
    expect(p.reject('just some words').message).toContain('expected at least 10 S3 server access log fields');
    expect(p.reject(`${OWNER} b [not a time] 192.0.2.3 - 1 REST.GET.OBJECT k "GET /k HTTP/1.1" 200`).message).toContain(
      'time: expected a timestamp',
    );
  });
});
