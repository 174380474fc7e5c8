import { z } from 'zod';
import { httpResult, toInt, toIpAddress, toLong, toPort, toText, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { toTimestampMillis } from '../time.js';
import { commonLogTypeOptions } from './common-options.js';
import { splitHostPort, tokenizeQuoted } from './tokenize.js';
import type { FormatResult } from './types.js';

export const albOptions = z
  .object({ format: z.literal('alb'), ...commonLogTypeOptions })
  .strict()
  .describe('Application Load Balancer access logs ([formats](formats.md#alb--application-load-balancer-access-logs))');
export type AlbOptions = z.infer<typeof albOptions>;

/** Application Load Balancer access log fields, in the documented order; AWS appends new ones at the end. */
const FIELDS = [
  'type',
  'time',
  'elb',
  'client:port',
  'target:port',
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  'elb_status_code',
  'target_status_code',
  'received_bytes',
  'sent_bytes',
  'request',
  'user_agent',
  'ssl_cipher',
  'ssl_protocol',
  'target_group_arn',
  'trace_id',
  'domain_name',
  'chosen_cert_arn',
  'matched_rule_priority',
  'request_creation_time',
  'actions_executed',
  'redirect_url',
  'error_reason',
  'target:port_list',
  'target_status_code_list',
  'classification',
  'classification_reason',
  'conn_trace_id',
] as const;

const REQUIRED = FIELDS.indexOf('request') + 1;
const MAPPED = new Set([
  'time',
  'elb',
  'client:port',
  'target:port',
  'elb_status_code',
  'received_bytes',
  'sent_bytes',
  'request',
  'user_agent',
  'trace_id',
  'domain_name',
  'request_creation_time',
  'error_reason',
]);
const TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss', 'classic']);

/**
 * One ALB (or Classic Load Balancer) access log entry → a WebSession event. Fields after the
 * documented ones are kept as extra_<n>.
 */
export function parseAlb(bytes: Buffer): FormatResult {
  const { text } = decodeText(bytes);
  const tokens = tokenizeQuoted(text);
  // Classic Load Balancer logs are the same fields without the leading type
  if (/^\d{4}-\d{2}-\d{2}T/.test(tokens[0] ?? '')) tokens.unshift('classic');
  if (tokens.length < REQUIRED) throw unparseable(`expected at least ${REQUIRED} ALB access log fields, got ${tokens.length}`);
  if (!TYPES.has(tokens[0] as string))
    throw unparseable(`type: expected one of ${[...TYPES].join(', ')}, got ${JSON.stringify(tokens[0]).slice(0, 40)}`);
  const row = new Map<string, string>(tokens.map((t, i) => [FIELDS[i] ?? `extra_${i - FIELDS.length + 1}`, t]));
  const client = splitHostPort(row.get('client:port') ?? '-');
  const target = splitHostPort(row.get('target:port') ?? '-');
  const status = toInt(row.get('elb_status_code'), 'elb_status_code', 100, 999);
  const request = splitRequest(row.get('request') ?? '-');
  const creation = row.get('request_creation_time');
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(row.get('time'), 'time'),
      EventStartTime: creation === undefined || creation === '-' ? null : toTimestampMillis(creation, 'request_creation_time'),
      EventSchema: 'WebSession',
      EventType: 'HTTPsession',
      EventProduct: tokens[0] === 'classic' ? 'Classic Load Balancer' : 'Application Load Balancer',
      EventVendor: 'AWS',
      EventResult: httpResult(status),
      EventResultDetails: toText(row.get('error_reason')),
      EventOriginalUid: toText(row.get('trace_id')),
      Dvc: toText(row.get('elb')),
      SrcIpAddr: toIpAddress(client.host, 'client'),
      SrcPortNumber: toPort(client.port, 'client port'),
      DstIpAddr: toIpAddress(target.host, 'target'),
      DstPortNumber: toPort(target.port, 'target port'),
      DstHostname: toText(row.get('domain_name')),
      HttpStatusCode: status,
      HttpRequestMethod: request.method,
      Url: request.url,
      HttpUserAgent: toText(row.get('user_agent')),
      SrcBytes: toLong(row.get('received_bytes'), 'received_bytes'),
      DstBytes: toLong(row.get('sent_bytes'), 'sent_bytes'),
      AdditionalFields: Object.fromEntries([...row].filter(([k, v]) => !MAPPED.has(k) && v !== '-' && v !== '')),
    },
  };
}

/** "GET https://example.com:443/path HTTP/1.1" → method and URL; "- - -" (no request line) → nulls. */
export function splitRequest(request: string): { method: string | null; url: string | null; version: string | null } {
  const parts = request.split(' ');
  if (parts.length < 2 || parts[0] === '-') return { method: null, url: null, version: null };
  const method = /^[A-Z]{3,10}$/.test(parts[0] as string) ? (parts[0] as string) : null;
  const version =
    parts.length >= 3 && /^HTTP\/[\d.]+$/.test(parts[parts.length - 1] as string) ? (parts[parts.length - 1] as string) : null;
  const url = (version ? parts.slice(1, -1) : parts.slice(1)).join(' ');
  return { method, url: url === '' || url === '-' ? null : url, version };
}
