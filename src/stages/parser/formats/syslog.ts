import { z } from 'zod';
import { ipOrNull, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { parseOffset, type TimeOptions } from '../time.js';
import { commonLogTypeOptions, timezoneOffset } from './common-options.js';
import { parseSyslog, SEVERITIES, type SyslogMessage } from './syslog-header.js';
import type { EventFields, FormatResult, ParseContext } from './types.js';

export const syslogOptions = z
  .object({
    format: z.literal('syslog'),
    ...commonLogTypeOptions,
    timezoneOffset: timezoneOffset.describe('zone of timestamps that carry none (every RFC 3164 one)'),
  })
  .strict()
  .describe('RFC 5424 and RFC 3164 lines ([formats](formats.md#syslog--rfc-5424-and-rfc-3164))');

export type SyslogOptions = z.infer<typeof syslogOptions>;

/** One syslog line, RFC 5424 (structured data kept as sd.<id>.<param>) or RFC 3164 (with or without PRI). */
export function parseSyslogLine(bytes: Buffer, options: SyslogOptions, context: ParseContext): FormatResult {
  const { text, encoding } = decodeText(bytes);
  if (text.trim() === '') throw unparseable('empty record');
  const message = parseSyslog(text, timeOptions(options.timezoneOffset, context));
  if (!message) throw unparseable('neither RFC 5424 (<PRI>1 TIMESTAMP …) nor RFC 3164 (<PRI>Mmm dd hh:mm:ss HOST TAG: MSG)');
  return { kind: 'event', fields: syslogFields(message, context, encoding) };
}

export function timeOptions(offset: string, context: ParseContext): TimeOptions {
  return { defaultOffsetMinutes: parseOffset(offset) ?? 0, referenceMillis: context.receivedAt };
}

export function syslogFields(m: SyslogMessage, context: ParseContext, encoding?: string): EventFields {
  const additional: Record<string, string> = { SyslogRfc: m.rfc };
  if (m.facility) additional.Facility = m.facility;
  if (m.appName) additional.ProcessName = m.appName;
  if (m.procId) additional.ProcessId = m.procId;
  for (const [id, params] of Object.entries(m.structuredData)) {
    for (const [name, value] of Object.entries(params)) additional[`sd.${id}.${name}`] = value;
  }
  if (m.time === null) additional.TimeGeneratedSource = 'received';
  if (encoding) additional.SourceEncoding = encoding;
  const hostAddress = ipOrNull(m.hostname);
  return {
    TimeGenerated: m.time ?? context.receivedAt,
    EventSchema: 'Event',
    EventType: 'Syslog',
    EventSubType: m.appName,
    EventOriginalType: m.msgId,
    EventMessage: m.message,
    EventOriginalSeverity: m.severity === null ? null : (SEVERITIES[m.severity] ?? null),
    EventSeverity: m.severity === null ? null : syslogSeverity(m.severity),
    DvcHostname: hostAddress === null ? m.hostname : null,
    DvcIpAddr: hostAddress,
    Dvc: m.hostname,
    AdditionalFields: additional,
  };
}

/** emerg…err → High, warning → Medium, notice → Low, info/debug → Informational. */
function syslogSeverity(severity: number): string {
  if (severity <= 3) return 'High';
  if (severity === 4) return 'Medium';
  if (severity === 5) return 'Low';
  return 'Informational';
}
