import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/config/schema.js';
import { isRecordFault } from '../../../src/errors.js';
import { loadSchema } from '../../../src/schemas/catalog.js';
import { normalizeRecord } from '../../../src/stages/parser/normalize.js';
import { freshState, rawRecord, topologyWith } from './parser-support.js';

const avroType = avro.Type.forSchema(loadSchema('normalized') as avro.Schema);

/**
 * The parser's contract, per format: whatever the bytes, a record ends as exactly one encodable
 * event, or one record fault (→ one DLQ record), or — VPC flow logs only — a header line. It never
 * throws anything else (which the loop would treat as an infrastructure failure and retry forever),
 * and every event it emits fits the Avro schema.
 */
function outcome(topology: Topology, bytes: Buffer): 'event' | 'header' | 'dlq' {
  try {
    const result = normalizeRecord(rawRecord(bytes), topology, freshState());
    if (result.kind === 'header') return 'header';
    avroType.toBuffer(result.event);
    return 'event';
  } catch (error) {
    if (isRecordFault(error)) return 'dlq';
    throw error;
  }
}

const SAMPLES: Record<string, string[]> = {
  json: [
    '{"ts":"2026-11-01T10:00:00Z","src":{"ip":"10.0.0.5","port":5555},"dst":{"ip":"192.0.2.1","port":443},"proto":"tcp","action":"deny","bytes":42,"id":"f1"}',
  ],
  cloudtrail: [
    '{"eventTime":"2023-07-19T21:17:28Z","eventName":"CreateUser","eventSource":"iam.amazonaws.com","sourceIPAddress":"192.0.2.0","userIdentity":{"type":"IAMUser","userName":"Alice"},"eventType":"AwsApiCall","eventID":"x","resources":[{"ARN":"a","type":"t"}]}',
  ],
  vpcflow: [
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
    '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  ],
  alb: [
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:tg "Root=1-58337262" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"',
  ],
  guardduty: [
    '{"id":"1","type":"Recon:EC2/PortProbeUnprotectedPort","accountId":"1","severity":5,"updatedAt":"2026-11-01T09:31:00.000Z","service":{"action":{"networkConnectionAction":{"remoteIpDetails":{"ipAddressV4":"198.51.100.7"},"localPortDetails":{"port":22},"protocol":"TCP"}}}}',
  ],
  cef: [
    'Sep 19 08:26:10 host CEF:0|Security|threat\\|manager|1.0|100|worm stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 act=blocked a \\= b rt=Nov 01 2026 10:00:00 UTC cs1Label=L cs1=v',
  ],
  syslog: [
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventID="1011"] An application event',
    "<34>Oct 11 22:14:15 mymachine su[12]: 'su root' failed",
  ],
  kv: [
    '<189>date=2019-05-10 time=11:37:47 srcip=10.1.100.11 srcport=58012 dstip=23.57.57.114 dstport=443 proto=6 action="close" sentbyte=3652 devname="FGT 1" tz="-0700"',
  ],
  'access-log': [
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en]"',
  ],
  waf: [
    '{"timestamp":1683355579981,"formatVersion":1,"webaclId":"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/1a2b","terminatingRuleId":"Default_Action","terminatingRuleType":"REGULAR","action":"ALLOW","httpRequest":{"clientIp":"198.51.100.7","country":"US","headers":[{"name":"Host","value":"example.com"},{"name":"User-Agent","value":"curl/8"}],"uri":"/a","args":"b=1","httpVersion":"HTTP/1.1","httpMethod":"GET","requestId":"r-1"}}',
  ],
  's3-access': [
    '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - Yes us-east-1',
  ],
};

const FORMAT_CONFIG: Record<string, Record<string, unknown>> = {
  json: {
    format: 'json',
    fieldMap: {
      TimeGenerated: 'ts',
      SrcIpAddr: 'src.ip',
      SrcPortNumber: 'src.port',
      DstIpAddr: 'dst.ip',
      DstPortNumber: 'dst.port',
      NetworkProtocol: 'proto',
      EventResult: 'action',
      SrcBytes: 'bytes',
      HttpStatusCode: 'status',
      EventStartTime: 'start',
    },
  },
};

/** Bytes near a valid sample: characters replaced, inserted or deleted, including separators, quotes, escapes and invalid UTF-8. */
function mutated(sample: string): fc.Arbitrary<Buffer> {
  const special = fc.constantFrom(
    ' ',
    '"',
    '\\',
    '|',
    '=',
    ':',
    '-',
    '[',
    ']',
    '{',
    '}',
    ',',
    '\n',
    '\u0000',
    '\uFEFF',
    '9',
    '99999999999999999999',
    '::1',
    'ü',
  );
  const piece = fc.oneof(special, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 }));
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), piece);
  return fc
    .tuple(fc.array(edit, { minLength: 1, maxLength: 2 }), fc.uint8Array({ maxLength: 3 }), fc.boolean())
    .map(([edits, rawBytes, appendRaw]) => {
      let text = sample;
      for (const [at, del, insert] of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(i + del);
      }
      const bytes = Buffer.from(text);
      return appendRaw ? Buffer.concat([bytes, Buffer.from(rawBytes)]) : bytes;
    });
}

/** Structure-aware records: the format's own separators filled with arbitrary values. */
function structured(format: string): fc.Arbitrary<Buffer> {
  const token = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('-', '10.0.0.1', '2001:db8::1', '0', '65536', '1418530010', 'ACCEPT', 'REJECT', 'NODATA', 'OK'),
  );
  switch (format) {
    case 'vpcflow':
      return fc.array(token, { minLength: 1, maxLength: 16 }).map((t) => Buffer.from(t.join(' ')));
    case 'kv':
      return fc
        .array(
          fc.tuple(
            fc.constantFrom('date', 'time', 'srcip', 'dstip', 'srcport', 'action', 'proto', 'tz', 'eventtime', 'x'),
            token,
            fc.boolean(),
          ),
          { maxLength: 10 },
        )
        .map((pairs) => Buffer.from(pairs.map(([k, v, q]) => (q ? `${k}="${v.replaceAll('"', '\\"')}"` : `${k}=${v}`)).join(' ')));
    case 'cef':
      return fc
        .tuple(
          fc.array(token, { minLength: 6, maxLength: 8 }),
          fc.array(fc.tuple(fc.constantFrom('src', 'dst', 'spt', 'rt', 'act', 'cs1', 'cs1Label', 'in', 'proto'), token), { maxLength: 6 }),
        )
        .map(([head, ext]) => Buffer.from(`CEF:${head.join('|')}|${ext.map(([k, v]) => `${k}=${v}`).join(' ')}`));
    case 'syslog':
      return fc
        .tuple(
          fc.integer({ min: 0, max: 300 }),
          fc.constantFrom('1 2026-11-01T10:00:00Z', 'Nov  1 10:00:00', '1 -', 'Feb 30 10:00:00', '2026-11-01T10:00:00+02:00'),
          token,
          token,
          token,
        )
        .map(([pri, ts, host, app, msg]) => Buffer.from(`<${pri}>${ts} ${host} ${app} ${msg}`));
    case 'access-log':
    case 's3-access':
    case 'alb':
      return fc
        .array(
          fc.oneof(
            token,
            token.map((t) => `"${t}"`),
            token.map((t) => `[${t}]`),
          ),
          { maxLength: 30 },
        )
        .map((t) => Buffer.from(t.join(' ')));
    default:
      return fc
        .dictionary(
          fc.constantFrom(
            'ts',
            'eventTime',
            'updatedAt',
            'id',
            'type',
            'src',
            'sourceIPAddress',
            'userIdentity',
            'detail',
            'status',
            'start',
            'Records',
            'timestamp',
            'httpRequest',
            'action',
          ),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map((o) => Buffer.from(JSON.stringify(o)));
  }
}

describe('every input ends as exactly one event or one DLQ record (fast-check)', () => {
  for (const [name, samples] of Object.entries(SAMPLES)) {
    const topology = topologyWith(FORMAT_CONFIG[name] ?? { format: name });
    it(`${name}: valid samples parse, and no mutation crashes the parser`, () => {
      for (const sample of samples) expect(['event', 'header']).toContain(outcome(topology, Buffer.from(sample)));
      const inputs = fc.oneof(
        ...samples.map((s) => mutated(s)),
        structured(name),
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => Buffer.from(s)),
      );
      fc.assert(
        fc.property(inputs, (bytes) => {
          const result = outcome(topology, bytes);
          if (result === 'header') expect(name).toBe('vpcflow');
        }),
        { numRuns: 400 },
      );
    }, 60_000);
  }
});
