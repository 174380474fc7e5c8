import type { EnrichedEvent } from '../../schemas/events.js';

/** Private enterprise number used for the structured-data id (the "example" PEN of RFC 5612). */
export const SD_ID = 'siem@32473';

const SEVERITY: Record<string, number> = { High: 3, Medium: 4, Low: 5, Informational: 6 };

export interface MessageHeader {
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`, the event as
 * JSON in MSG and its EventId in structured data, so a receiver can de-duplicate without parsing MSG.
 */
export function formatMessage(event: EnrichedEvent, header: MessageHeader): string {
  const severity = SEVERITY[event.EventSeverity ?? ''] ?? 6;
  const pri = header.facility * 8 + severity;
  const timestamp = new Date(event.TimeGenerated).toISOString();
  const sd = `[${SD_ID} eventId="${sdEscape(event.EventId)}" schema="${sdEscape(event.EventSchema)}" logType="${sdEscape(event.LogType)}"]`;
  return `<${pri}>1 ${timestamp} ${field(header.hostname, 255)} ${field(header.appName, 48)} ${field(header.procId, 128)} ${field(event.EventSchema, 32)} ${sd} ${JSON.stringify(event)}`;
}

/** RFC 6587 octet-counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCountingFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/** Header fields are printable US-ASCII without spaces, "-" when empty. */
function field(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length === 0 ? '-' : clean;
}

function sdEscape(value: string): string {
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}
