import { z } from 'zod';
import { httpResult, ipOrNull, toInt, toLong, toText, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { toTimestampMillis } from '../time.js';
import { splitRequest } from './alb.js';
import { commonLogTypeOptions } from './common-options.js';
import { tokenizeQuoted } from './tokenize.js';
import type { FormatResult } from './types.js';

export const accessLogOptions = z
  .object({
    format: z.literal('access-log'),
    ...commonLogTypeOptions,
    server: z
      .enum(['apache', 'nginx'])
      .default('apache')
      .describe('which server wrote it; sets product and vendor (the line layouts are the same)'),
  })
  .strict()
  .describe(
    'Apache / Nginx Common and Combined Log Format ([formats](formats.md#access-log--apache--nginx-common-and-combined-log-format))',
  );

export type AccessLogOptions = z.infer<typeof accessLogOptions>;

/**
 * Apache/Nginx Common and Combined Log Format:
 * `host ident user [time] "request" status bytes ["referer" "user-agent"] [extra…]`.
 * The host may be a name (HostnameLookups On) or IPv6; a request line may be junk (a TLS
 * handshake sent to a plain HTTP port shows up as "\x16\x03\x01…"), which keeps the event with a null URL.
 */
export function parseAccessLog(bytes: Buffer, options: AccessLogOptions): FormatResult {
  const { text, encoding } = decodeText(bytes);
  const tokens = tokenizeQuoted(text, { brackets: true });
  if (tokens.length < 7) throw unparseable(`expected at least 7 fields of the Common Log Format, got ${tokens.length}`);
  const [host, , user, time, requestLine, statusText, bytesText, referer, agent, ...extra] = tokens as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  const status = toInt(statusText, 'status', 100, 999);
  const request = splitRequest(requestLine);
  const address = ipOrNull(host);
  const additional: Record<string, string> = {};
  if (referer !== undefined && referer !== '-' && referer !== '') additional.Referer = referer;
  if (request.version) additional.HttpVersion = request.version;
  if (request.method === null && requestLine !== '-') additional.RequestLine = requestLine;
  extra.forEach((value, i) => {
    additional[`extra_${i + 1}`] = value;
  });
  if (encoding) additional.SourceEncoding = encoding;
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(time, 'time'),
      EventSchema: 'WebSession',
      EventType: 'HTTPsession',
      EventProduct: options.server === 'nginx' ? 'Nginx' : 'Apache HTTP Server',
      EventVendor: options.server === 'nginx' ? 'F5' : 'Apache',
      EventResult: httpResult(status),
      SrcIpAddr: address,
      SrcHostname: address === null && host !== '-' ? host : null,
      ActorUsername: toText(user),
      HttpStatusCode: status,
      HttpRequestMethod: request.method,
      Url: request.url,
      HttpUserAgent: agent === undefined ? null : toText(agent),
      DstBytes: toLong(bytesText, 'bytes'),
      AdditionalFields: additional,
    },
  };
}
