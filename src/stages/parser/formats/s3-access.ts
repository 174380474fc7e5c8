import { z } from 'zod';
import { httpResult, toInt, toIpAddress, toLong, toText, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { toTimestampMillis } from '../time.js';
import { splitRequest } from './alb.js';
import { commonLogTypeOptions } from './common-options.js';
import { tokenizeQuoted } from './tokenize.js';
import type { FormatResult } from './types.js';

export const s3AccessOptions = z
  .object({ format: z.literal('s3-access'), ...commonLogTypeOptions })
  .strict()
  .describe('Amazon S3 server access logs ([formats](formats.md#s3-access--amazon-s3-server-access-logs))');
export type S3AccessOptions = z.infer<typeof s3AccessOptions>;

/** Amazon S3 server access log fields, in the documented order; AWS appends new ones at the end. */
const FIELDS = [
  'bucket_owner',
  'bucket',
  'time',
  'remote_ip',
  'requester',
  'request_id',
  'operation',
  'key',
  'request_uri',
  'http_status',
  'error_code',
  'bytes_sent',
  'object_size',
  'total_time',
  'turn_around_time',
  'referer',
  'user_agent',
  'version_id',
  'host_id',
  'signature_version',
  'cipher_suite',
  'authentication_type',
  'host_header',
  'tls_version',
  'access_point_arn',
  'acl_required',
  'source_region',
] as const;

/** up to the status: what every record of every vintage has */
const REQUIRED = FIELDS.indexOf('http_status') + 1;
const MAPPED = new Set([
  'time',
  'remote_ip',
  'requester',
  'request_id',
  'operation',
  'key',
  'request_uri',
  'http_status',
  'error_code',
  'bytes_sent',
  'user_agent',
  'host_header',
  'bucket',
]);

/**
 * One Amazon S3 server access log record (space-separated, `[time]` and `"quoted"` fields, `-`
 * for none) → a WebSession event: who (requester, remote IP) did which operation on which
 * bucket and key, and the answer. Fields after the documented ones are kept as extra_<n>.
 */
export function parseS3Access(bytes: Buffer): FormatResult {
  const { text } = decodeText(bytes);
  const tokens = tokenizeQuoted(text, { brackets: true });
  if (tokens.length < REQUIRED) throw unparseable(`expected at least ${REQUIRED} S3 server access log fields, got ${tokens.length}`);
  const row = new Map<string, string>(tokens.map((t, i) => [FIELDS[i] ?? `extra_${i - FIELDS.length + 1}`, t]));
  const status = toInt(row.get('http_status'), 'http_status', 100, 999);
  const request = splitRequest(row.get('request_uri') ?? '-');
  const bucket = toText(row.get('bucket'));
  const key = toText(row.get('key'));
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(row.get('time'), 'time'),
      EventSchema: 'WebSession',
      EventType: 'HTTPsession',
      EventProduct: 'S3',
      EventVendor: 'AWS',
      EventResult: httpResult(status),
      EventResultDetails: toText(row.get('error_code')),
      EventOriginalUid: toText(row.get('request_id')),
      EventOriginalType: toText(row.get('operation')),
      Operation: toText(row.get('operation')),
      Object: key === null ? null : `${bucket ?? '-'}/${key}`,
      ObjectType: key === null ? null : 'S3 object',
      Dvc: bucket,
      TargetAppName: bucket,
      SrcIpAddr: toIpAddress(row.get('remote_ip'), 'remote_ip'),
      ActorUsername: toText(row.get('requester')),
      HttpStatusCode: status,
      HttpRequestMethod: request.method,
      Url: request.url,
      HttpUserAgent: toText(row.get('user_agent')),
      DstHostname: toText(row.get('host_header')),
      DstBytes: toLong(row.get('bytes_sent'), 'bytes_sent'),
      AdditionalFields: {
        ...Object.fromEntries([...row].filter(([k, v]) => !MAPPED.has(k) && v !== '-' && v !== '')),
        ...(request.version ? { HttpVersion: request.version } : {}),
      },
    },
  };
}
