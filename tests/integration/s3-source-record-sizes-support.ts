import { mulberry32 } from './s3-source-support.js';

/**
 * ALB access-log lines in AWS's documented field order, about `averageBytes` long each (the
 * request URL's query string and the user agent vary, as they do in real traffic).
 */
export function albLines(count: number, averageBytes: number, seed = 1): string[] {
  const random = mulberry32(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `10.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`;
    const at = new Date(Date.UTC(2026, 10, 1, 10, 0, 0) + i * 37).toISOString().replace('Z', '000Z');
    const head =
      `https ${at} app/prod-web-alb/50dc6c495c0c9188 ${ip}:${1024 + Math.floor(random() * 60_000)} 10.0.1.17:8443 0.000 0.0${Math.floor(random() * 90) + 10} 0.000 200 200 ${300 + Math.floor(random() * 900)} ${1_000 + Math.floor(random() * 90_000)} ` +
      `"GET https://shop.example.com:443/api/v2/catalog/items?session=${i.toString(36)}&q=`;
    const tail =
      ` HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ` +
      `arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/prod-web/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "shop.example.com" ` +
      `"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 ${at} "forward" "-" "-" "10.0.1.17:8443" "200" "-" "-" TID_${i}`;
    const filler = Math.max(8, averageBytes - head.length - tail.length + Math.floor((random() - 0.5) * 80));
    lines.push(head + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(filler / 36)).slice(0, filler) + tail);
  }
  return lines;
}

/** A CloudTrail delivery file: `{"Records":[…]}` with `count` records of about `averageBytes` each. */
export function cloudTrailDocument(count: number, averageBytes: number, seed = 2): { text: string; recordBytes: number[] } {
  const random = mulberry32(seed);
  const records: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = {
      eventVersion: '1.08',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROA6ON6E4XEGITEXAMPLE:session-${i}`,
        arn: `arn:aws:sts::888888888888:assumed-role/deploy/session-${i}`,
        accountId: '888888888888',
      },
      eventTime: new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + i * 1_000).toISOString().replace('.000', ''),
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      awsRegion: 'us-east-1',
      sourceIPAddress: `192.0.2.${i % 250}`,
      userAgent: 'aws-cli/2.13.5 Python/3.11.4',
      requestParameters: { roleName: `service-role-${i}`, policyName: 'inline', policyDocument: '' },
      responseElements: null,
      requestID: `2d528c76-329e-410b-9516-${String(i).padStart(12, '0')}`,
      eventID: `ba0801a1-87ec-4d26-be87-${String(i).padStart(12, '0')}`,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '888888888888',
      eventCategory: 'Management',
    };
    const target = averageBytes + Math.floor((random() - 0.5) * 400);
    const statements: string[] = [];
    while (JSON.stringify(base).length + statements.join(',').length + 40 < target) {
      statements.push(`{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::bucket-${statements.length}/*"}`);
    }
    base.requestParameters.policyDocument = `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`;
    records.push(JSON.stringify(base));
  }
  return { text: `{"Records":[${records.join(',')}]}`, recordBytes: records.map((r) => Buffer.byteLength(r)) };
}
