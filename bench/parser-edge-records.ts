/**
 * Crafted raw records for the fidelity check of bench:parser: the corners of the json (firewall)
 * and cloudtrail formats where a port to another language most easily parts from the parser —
 * JavaScript's number and string conversions, JSON.stringify, key order, timestamp styles,
 * addresses, text decoding, headers — and records that go to the DLQ.
 */
import { RAW_HEADER } from '../src/schemas/raw-record.js';

export interface EdgeRecord {
  /** the raw topic's log type (the header may say another) */
  topicLogType: 'firewall' | 'cloudtrail';
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | string[]>;
}

const fw = (fields: Record<string, unknown>) => ({
  id: 'fw-x',
  ts: '2026-11-01T10:00:00.123Z',
  src: { ip: '10.0.3.7', port: 40000 },
  dst: { ip: '192.0.2.9', port: 443 },
  proto: 'tcp',
  action: 'allow',
  bytes: 1234,
  rule: 'r-1',
  ...fields,
});

/** Firewall JSON values, each one record (a string is the record's text as is). */
const FIREWALL: Array<Record<string, unknown> | string | Buffer | null> = [
  fw({}),
  // timestamps
  fw({ ts: 1_790_000_000 }),
  fw({ ts: '1790000000123' }),
  fw({ ts: 1_790_000_000_123_456 }),
  fw({ ts: 1.5 }),
  fw({ ts: '2026-11-01T10:00:00+02:00' }),
  fw({ ts: '2026-11-01T10:00:00-0530' }),
  fw({ ts: '2026-11-01 10:00:00,5Z' }),
  fw({ ts: '2026-11-01t10:00:00z' }),
  fw({ ts: ' 2026-11-01T10:00:00.123456789 UTC ' }),
  fw({ ts: '2026-11-01' }),
  fw({ ts: '0099-01-01T00:00:00Z' }),
  fw({ ts: '01/Nov/2026:10:00:00 +0100' }),
  fw({ ts: 'Nov  1 2026 10:00:00 GMT+01:00' }),
  fw({ ts: '2026-02-31T00:00:00Z' }),
  fw({ ts: '2026-11-01T24:00:00Z' }),
  fw({ ts: '1970-01-01T00:00:00+01:00' }),
  fw({ ts: '2026-11-01T10:00:00+19:00' }),
  fw({ ts: 'yesterday' }),
  fw({ ts: null }),
  fw({ ts: '' }),
  fw({ ts: { at: 1 } }),
  fw({ ts: undefined }),
  // addresses
  fw({ src: { ip: '[2001:db8::1]', port: 1 } }),
  fw({ src: { ip: 'fe80::1%eth0', port: 1 } }),
  fw({ src: { ip: '::ffff:10.0.0.1', port: 1 } }),
  fw({ src: { ip: ' 10.0.0.1 ', port: 1 } }),
  fw({ src: { ip: '-', port: 1 } }),
  fw({ src: { ip: '10.0.0.256', port: 1 } }),
  fw({ src: { ip: '010.0.0.1', port: 1 } }),
  fw({ src: { ip: 167772161, port: 1 } }),
  fw({ src: 'not an object' }),
  fw({ src: ['10.0.0.1'] }),
  fw({ src: null }),
  // ports and counts: Number() of anything
  fw({ src: { ip: '10.0.0.1', port: '443' } }),
  fw({ src: { ip: '10.0.0.1', port: ' 8080 ' } }),
  fw({ src: { ip: '10.0.0.1', port: '0x1BB' } }),
  fw({ src: { ip: '10.0.0.1', port: 1e3 } }),
  fw({ src: { ip: '10.0.0.1', port: '1.0' } }),
  fw({ src: { ip: '10.0.0.1', port: true } }),
  fw({ src: { ip: '10.0.0.1', port: [80] } }),
  fw({ src: { ip: '10.0.0.1', port: '-0' } }),
  fw({ src: { ip: '10.0.0.1', port: 70000 } }),
  fw({ src: { ip: '10.0.0.1', port: -1 } }),
  fw({ src: { ip: '10.0.0.1', port: 1.5 } }),
  fw({ src: { ip: '10.0.0.1', port: 'eighty' } }),
  fw({ bytes: '12e3' }),
  fw({ bytes: '  ' }),
  '{"ts":"2026-11-01T10:00:00Z","bytes":9007199254740993}',
  fw({ bytes: -5 }),
  fw({ bytes: '1e400' }),
  // results, protocol, ids
  fw({ action: 'ALLOW' }),
  fw({ action: 'Blocked' }),
  fw({ action: 'na' }),
  fw({ action: 'weird' }),
  fw({ action: { a: 1 } }),
  fw({ action: '-' }),
  fw({ proto: 'udp' }),
  fw({ proto: 'straße' }),
  fw({ proto: 6 }),
  fw({ proto: { x: 'y' } }),
  fw({ proto: false }),
  fw({ id: 42 }),
  fw({ id: 1.0 }),
  fw({ id: 0.1 }),
  fw({ id: [1, 'a', null, [2, 3]] }),
  fw({ id: { nested: true } }),
  // what goes to AdditionalFields: numbers as JavaScript prints them, key order, text
  fw({ n1: 1e21, n2: 1.5e-7, n3: 0.000001, n4: 123e18, n5: 5e-324, n6: 1.7976931348623157e308, n7: 0.1 + 0.2, n8: -2.5 }),
  fw({ t: true, f: false, z: null, e: '', dash: '-', o: { b: 1, a: [1, { c: 'd' }] } }),
  fw({ '10': 'ten', '2': 'two', x: 'x', '01': 'zero-one', '4294967295': 'big', '-1': 'minus' }),
  fw({ text: 'héllo 😀 ✓', ctl: '\u0000\u0007\n\t"\\/', sep: '\u2028\u2029' }),
  '{"ts":"2026-11-01T10:00:00Z","note":"one","note":"two","rule":"r-1","rule":"r-2"}',
  '{"ts":"2026-11-01T10:00:00Z","__proto__":"proto","constructor":"c"}',
  '{"ts":"2026-11-01T10:00:00Z","big":123456789012345678901234567890,"neg0":-0,"negf":-0.0,"exp":1E2,"frac":2.50}',
  '{"ts":"2026-11-01T10:00:00Z","lone":"\\ud800","pair":"\\ud83d\\ude00","longlone":"\\udc00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","lonekey\\ud800":"k"}',
  '{"ts":"2026-11-01T10:00:00Z","obj":{"lone":"\\udbff","esc":"\\u001f\\u007f\\u0080"}}',
  // text decoding
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(fw({ bom: 1 })))]),
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(fw({ bom: 2 })))]),
  Buffer.from(`${JSON.stringify(fw({ crlf: 1 }))}\r\n`),
  Buffer.concat([Buffer.from('{"ts":"2026-11-01T10:00:00Z","latin1":"caf'), Buffer.from([0xe9, 0x80]), Buffer.from('"}')]),
  Buffer.from('{"ts":"2026-11-01T10:00:00Z","overlong":"\xc0\xaf"}', 'latin1'),
  // not a JSON object
  'not json',
  '[1,2]',
  'null',
  '42',
  '"text"',
  'true',
  '{"ts":"2026-11-01T10:00:00Z"} trailing',
  '{"ts":"2026-11-01T10:00:00Z",}',
  "{'ts':'2026-11-01T10:00:00Z'}",
  '{"ts":"2026-11-01T10:00:00Z","n":01}',
  '{"ts":"2026-11-01T10:00:00Z","n":NaN}',
  '{"ts":"2026-11-01T10:00:00Z" /* comment */}',
  '   ',
  '\u00a0',
  '',
  null,
];

const ct = (fields: Record<string, unknown>) => ({
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDA1',
    arn: 'arn:aws:iam::123456789012:user/alice',
    accountId: '123456789012',
    userName: 'alice',
  },
  eventTime: '2026-11-01T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  awsRegion: 'eu-west-1',
  sourceIPAddress: '203.0.113.5',
  userAgent: 'aws-cli/2.13.5',
  requestParameters: { bucketName: 'data', key: 'k/1' },
  responseElements: null,
  requestID: 'req-1',
  eventID: 'evt-1',
  readOnly: false,
  resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/k/1' }],
  eventType: 'AwsApiCall',
  recipientAccountId: '123456789012',
  ...fields,
});

const CLOUDTRAIL: Array<Record<string, unknown> | string> = [
  ct({}),
  ct({ readOnly: true }),
  ct({ readOnly: 'true', eventName: 'DeleteBucket' }),
  ct({ eventName: 'PutBucketPolicy' }),
  ct({ eventName: 'AssumeRole' }),
  ct({ eventName: 'Frobnicate' }),
  ct({ eventName: undefined }),
  ct({ errorCode: 'AccessDenied', errorMessage: 'Access Denied' }),
  ct({ sourceIPAddress: 'ec2.amazonaws.com' }),
  ct({ sourceIPAddress: '2001:db8::5' }),
  ct({ userIdentity: { type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' }, recipientAccountId: undefined }),
  ct({
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/bob',
      sessionContext: { sessionIssuer: { userName: 'Admin' } },
    },
  }),
  ct({ userIdentity: 'text' }),
  ct({
    eventType: 'AwsConsoleSignIn',
    eventName: 'ConsoleLogin',
    responseElements: { ConsoleLogin: 'Failure' },
    additionalEventData: { MFAUsed: 'Yes' },
  }),
  ct({ eventType: 'AwsConsoleSignIn', eventName: 'CheckMfa', responseElements: { ConsoleLogin: 'Success' } }),
  ct({ resources: [] }),
  ct({ resources: 'x' }),
  ct({ eventTime: 1_790_000_000 }),
  ct({ eventTime: null }),
  ct({ eventTime: undefined }),
  ct({ eventTime: 'Nov 31 2026 10:00:00' }),
  ct({ extra: { '2': 'b', '1': 'a' }, count: 3, ratio: 0.5 }),
  '{"Records":[{"eventTime":"2026-11-01T10:00:00Z"}]}',
  '{"eventTime":"2026-11-01T10:00:00Z"}',
  '[]',
];

function text(value: Record<string, unknown> | string | Buffer | null): Buffer | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Every crafted record with the headers the S3 source writes, and some with headers of their own. */
export function edgeRecords(): EdgeRecord[] {
  const out: EdgeRecord[] = [];
  const add = (
    topicLogType: EdgeRecord['topicLogType'],
    value: Buffer | null,
    i: number,
    headers: Record<string, string | string[]> = {},
  ) => {
    const key = `${topicLogType}/edge-${i % 5}.json`;
    out.push({
      topicLogType,
      key: `edge/${key}`,
      value,
      headers: {
        [RAW_HEADER.logType]: topicLogType,
        [RAW_HEADER.bucket]: 'edge',
        [RAW_HEADER.key]: key,
        [RAW_HEADER.recordNumber]: String(i),
        ...headers,
      },
    });
  };
  for (const [i, v] of FIREWALL.entries()) add('firewall', text(v), i);
  for (const [i, v] of CLOUDTRAIL.entries()) add('cloudtrail', text(v), i);
  // headers: the S3 position with an ETag (then the event id comes from it), a re-ingest, odd record numbers
  const sample = text(fw({}));
  add('firewall', sample, 1000, { [RAW_HEADER.etag]: '"abc"' });
  add('firewall', sample, 1001, { [RAW_HEADER.etag]: '"abc"', [RAW_HEADER.reingestId]: 'r-1' });
  add('firewall', sample, 1002, { [RAW_HEADER.recordNumber]: 'abc' });
  add('firewall', sample, 1003, { [RAW_HEADER.recordNumber]: '0x10' });
  add('firewall', sample, 1004, { [RAW_HEADER.recordNumber]: '' });
  add('firewall', sample, 1005, { [RAW_HEADER.recordNumber]: '1e3' });
  add('firewall', sample, 1006, { '7': 'seven', 'x-trace': ['first', 'second'] });
  add('firewall', sample, 1007, { [RAW_HEADER.logType]: 'cloudtrail' });
  add('cloudtrail', text(ct({})), 1008, { [RAW_HEADER.logType]: 'firewall' });
  add('firewall', sample, 1009, { [RAW_HEADER.logType]: 'vpcflow' });
  add('firewall', sample, 1010, { [RAW_HEADER.logType]: '' });
  add('firewall', sample, 1011, { [RAW_HEADER.bucket]: 'b', [RAW_HEADER.key]: 'k/ü.json' });
  const noType = { ...out[0] } as EdgeRecord;
  out.push({ ...noType, headers: Object.fromEntries(Object.entries(noType.headers).filter(([k]) => k !== RAW_HEADER.logType)) });
  out.push({ ...noType, key: null });
  return out;
}
