import { z } from 'zod';
import { SiemStreamError } from '../../../errors.js';
import { toInt, toIpAddress, toText } from '../field-values.js';
import { toTimestampMillis } from '../time.js';
import { commonLogTypeOptions } from './common-options.js';
import { asObject, type JsonObject, parseJsonObject, remainingFields } from './json-object.js';
import type { FormatResult } from './types.js';

export const wafOptions = z
  .object({ format: z.literal('waf'), ...commonLogTypeOptions })
  .strict()
  .describe('AWS WAF web ACL logs ([formats](formats.md#waf--aws-waf-web-acl-logs))');
export type WafOptions = z.infer<typeof wafOptions>;

const MAPPED = new Set(['timestamp', 'webaclId', 'terminatingRuleId', 'terminatingRuleType', 'action', 'httpRequest', 'responseCodeSent']);
/** request fields that have a column, or (the headers: cookies, authorization) must not be copied */
const REQUEST_MAPPED = new Set(['clientIp', 'headers', 'uri', 'args', 'httpMethod', 'requestId']);

/**
 * One AWS WAF web ACL log record (a JSON line of a WAFLogs object) → a WebSession event. The
 * request's headers are read for Host, User-Agent and Referer only: the others (cookies,
 * authorization) are never copied.
 */
export function parseWaf(bytes: Buffer): FormatResult {
  const r = parseJsonObject(bytes);
  const request = asObject(r.httpRequest);
  if (r.timestamp === undefined || request === undefined) {
    throw new SiemStreamError('RECORD_INVALID', 'timestamp/httpRequest: missing (not an AWS WAF log record?)', { stage: 'parser' });
  }
  const action = toText(r.action)?.toUpperCase() ?? null;
  const header = headerReader(request.headers);
  const uri = toText(request.uri);
  const args = toText(request.args);
  const webAcl = toText(r.webaclId);
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(r.timestamp, 'timestamp'),
      EventSchema: 'WebSession',
      EventType: 'HTTPsession',
      EventProduct: 'WAF',
      EventVendor: 'AWS',
      EventResult: action === 'ALLOW' ? 'Success' : action === 'BLOCK' ? 'Failure' : 'NA',
      EventResultDetails: action === 'ALLOW' || action === 'BLOCK' ? null : action,
      DvcAction: action === 'ALLOW' ? 'Allow' : action === 'BLOCK' ? 'Deny' : null,
      NetworkRuleName: toText(r.terminatingRuleId),
      EventSubType: toText(r.terminatingRuleType),
      EventOriginalUid: toText(request.requestId),
      Dvc: webAcl,
      DvcScopeId: webAcl?.split(':')[4] || null,
      SrcIpAddr: toIpAddress(request.clientIp, 'httpRequest.clientIp'),
      HttpRequestMethod: toText(request.httpMethod),
      Url: uri === null ? null : args ? `${uri}?${args}` : uri,
      DstHostname: header('host') ?? toText(request.host),
      HttpUserAgent: header('user-agent'),
      HttpStatusCode: toInt(r.responseCodeSent, 'responseCodeSent', 100, 999),
      AdditionalFields: {
        ...remainingFields(r, MAPPED),
        ...remainingFields(request, REQUEST_MAPPED),
        ...(action ? { action } : {}),
        ...(header('referer') ? { Referer: header('referer') as string } : {}),
      },
    },
  };
}

/** WAF logs headers as `[{name, value}]`; names are case-insensitive. */
function headerReader(headers: unknown): (name: string) => string | null {
  const list = Array.isArray(headers) ? headers.map(asObject).filter((h): h is JsonObject => h !== undefined) : [];
  return (name) => toText(list.find((h) => String(h.name).toLowerCase() === name)?.value);
}
