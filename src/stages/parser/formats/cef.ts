import { z } from 'zod';
import { ipOrNull, isAbsent, recordInvalid, toIpAddress, toLong, toPort, toProtocol, toText, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { toTimestampMillis } from '../time.js';
import { commonLogTypeOptions, timezoneOffset } from './common-options.js';
import { timeOptions } from './syslog.js';
import { parseSyslog } from './syslog-header.js';
import type { FormatResult, ParseContext } from './types.js';

export const cefOptions = z
  .object({
    format: z.literal('cef'),
    ...commonLogTypeOptions,
    timezoneOffset: timezoneOffset.describe('zone of `rt`/`start`/`end` values that carry none'),
  })
  .strict()
  .describe('ArcSight Common Event Format, bare or after a syslog header ([formats](formats.md#cef--arcsight-common-event-format))');

export type CefOptions = z.infer<typeof cefOptions>;

const MAPPED = new Set([
  'rt',
  'start',
  'end',
  'src',
  'dst',
  'spt',
  'dpt',
  'proto',
  'act',
  'suser',
  'duser',
  'shost',
  'dhost',
  'dvc',
  'dvchost',
  'in',
  'out',
  'msg',
  'outcome',
  'request',
  'requestMethod',
  'requestClientApplication',
  'externalId',
  'cat',
  'deviceDirection',
  'c6a2',
  'c6a3',
]);

/**
 * ArcSight Common Event Format: `[syslog header] CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|ext`.
 * Header fields escape `\|` and `\\`; extension values escape `\=`, `\\`, `\n`, `\r` and may contain
 * spaces (a value runs until the next `key=`). csNLabel/csN pairs become AdditionalFields[label].
 */
export function parseCef(bytes: Buffer, options: CefOptions, context: ParseContext): FormatResult {
  const { text, encoding } = decodeText(bytes);
  const start = text.indexOf('CEF:');
  if (start === -1) throw unparseable('no "CEF:" header');
  const times = timeOptions(options.timezoneOffset, context);
  const syslog = start > 0 ? parseSyslog(`${text.slice(0, start).trimEnd()} `, times) : undefined;
  const { header, extension } = splitHeader(text.slice(start + 4));
  const [version, vendor, product, , signature, name, severity] = header;
  if (!/^\d+$/.test(version ?? '')) throw recordInvalid('CEF version', 'a number', version);
  const ext = parseExtension(extension);
  const time = ext.rt ?? ext.end ?? ext.start;
  const additional: Record<string, string> = { CefVersion: version as string };
  for (const [key, value] of Object.entries(ext)) {
    const label = /^(cs|cn|cfp|flexString|flexNumber|deviceCustomDate)(\d)$/.exec(key);
    if (label && ext[`${key}Label`]) additional[ext[`${key}Label`] as string] = value;
    else if (!MAPPED.has(key) && !key.endsWith('Label')) additional[key] = value;
  }
  if (time === undefined) additional.TimeGeneratedSource = syslog?.time ? 'syslog header' : 'received';
  if (encoding) additional.SourceEncoding = encoding;
  const src = toIpAddress(ext.src ?? ext.c6a2, 'src');
  const dst = toIpAddress(ext.dst ?? ext.c6a3, 'dst');
  const outcome = ext.outcome?.toLowerCase();
  return {
    kind: 'event',
    fields: {
      TimeGenerated: time !== undefined ? toTimestampMillis(time, 'rt', times) : (syslog?.time ?? context.receivedAt),
      EventStartTime: ext.start === undefined ? null : toTimestampMillis(ext.start, 'start', times),
      EventEndTime: ext.end === undefined ? null : toTimestampMillis(ext.end, 'end', times),
      EventSchema: src !== null || dst !== null ? 'NetworkSession' : 'Event',
      EventType: src !== null || dst !== null ? 'NetworkSession' : 'Event',
      EventVendor: toText(vendor),
      EventProduct: toText(product),
      EventOriginalType: toText(signature),
      EventMessage: toText(ext.msg) ?? toText(name),
      EventOriginalSeverity: toText(severity),
      EventSeverity: cefSeverity(severity),
      EventOriginalUid: toText(ext.externalId),
      EventResult: outcome === 'success' ? 'Success' : outcome === 'failure' ? 'Failure' : null,
      EventSubType: toText(ext.cat),
      SrcIpAddr: src,
      DstIpAddr: dst,
      SrcPortNumber: toPort(ext.spt, 'spt'),
      DstPortNumber: toPort(ext.dpt, 'dpt'),
      NetworkProtocol: toProtocol(ext.proto),
      DvcAction: toText(ext.act),
      ActorUsername: toText(ext.suser),
      TargetUsername: toText(ext.duser),
      SrcHostname: toText(ext.shost),
      DstHostname: toText(ext.dhost),
      DvcIpAddr: ipOrNull(ext.dvc),
      DvcHostname: toText(ext.dvchost) ?? syslog?.hostname ?? null,
      SrcBytes: toLong(ext.out, 'out'),
      DstBytes: toLong(ext.in, 'in'),
      Url: toText(ext.request),
      HttpRequestMethod: toText(ext.requestMethod),
      HttpUserAgent: toText(ext.requestClientApplication),
      NetworkDirection: ext.deviceDirection === '0' ? 'Inbound' : ext.deviceDirection === '1' ? 'Outbound' : null,
      AdditionalFields: additional,
    },
  };
}

/** The seven header fields (unescaped) and the raw extension after the seventh unescaped pipe. */
function splitHeader(text: string): { header: string[]; extension: string } {
  const header: string[] = [];
  let current = '';
  let i = 0;
  for (; i < text.length && header.length < 7; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      current += text[i + 1];
      i++;
    } else if (c === '|') {
      header.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (header.length < 7) throw unparseable(`CEF header has ${header.length + 1} of its 8 pipe-separated parts`);
  return { header, extension: text.slice(i) };
}

/** Keys are [A-Za-z0-9_.[\]-]+ directly before an unescaped "="; a value runs up to the space before the next key. */
export function parseExtension(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const keyPattern = /(?:^|\s)([A-Za-z0-9_.[\]-]+)=/g;
  const starts: Array<{ key: string; keyAt: number; valueAt: number }> = [];
  for (let m = keyPattern.exec(text); m !== null; m = keyPattern.exec(text)) {
    const eq = m.index + m[0].length - 1;
    if (isEscaped(text, eq)) continue;
    starts.push({ key: m[1] as string, keyAt: m.index, valueAt: eq + 1 });
  }
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? (starts[i + 1] as { keyAt: number }).keyAt : text.length;
    out[s.key] = unescapeValue(text.slice(s.valueAt, end).trim());
  });
  return out;
}

function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; j >= 0 && text[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}

function unescapeValue(value: string): string {
  return value.replace(/\\([=\\nr|])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** 0–3 Low, 4–6 Medium, 7–10 High, or the words CEF allows. */
function cefSeverity(value: string | undefined): string | null {
  if (isAbsent(value)) return null;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0 && n <= 10) return n <= 3 ? 'Low' : n <= 6 ? 'Medium' : 'High';
  const word = value.toLowerCase();
  if (word === 'low') return 'Low';
  if (word === 'medium') return 'Medium';
  if (word === 'high' || word === 'very-high') return 'High';
  return null;
}
