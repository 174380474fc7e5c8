import { type TimeOptions, toTimestampMillis } from '../time.js';

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

export interface SyslogMessage {
  rfc: '5424' | '3164';
  facility: string | null;
  severity: number | null;
  /** null when the message has none (RFC 5424 NILVALUE) */
  time: number | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: Record<string, Record<string, string>>;
  message: string;
}

const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;
// RFC 3164 as written by devices and by rsyslog to files: the PRI is often absent, the time may be
// "Oct  1 22:14:15" or (rsyslog's precise format) RFC 3339; the TAG may carry [pid].
const RFC3164 =
  /^(?:<(\d{1,3})>)?(?:([A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?: \d{4})?)|(\d{4}-\d{2}-\d{2}T\S+)) (?:(\S+) )?(?:([^\s:[\]]{1,64})(?:\[([^\]]*)\])?: ?)?([\s\S]*)$/;

/** RFC 5424 or RFC 3164, told apart by the version digit after the PRI; undefined when it is neither. */
export function parseSyslog(text: string, time: TimeOptions): SyslogMessage | undefined {
  const m5424 = RFC5424.exec(text);
  if (m5424 && m5424[2] === '1') return parse5424(text, m5424, time);
  const m = RFC3164.exec(text);
  if (!m) return undefined;
  const pri = m[1] === undefined ? null : Number(m[1]);
  return {
    rfc: '3164',
    ...priority(pri),
    time: toTimestampMillis((m[2] ?? (m[3] as string)).replace(/\s+/g, ' '), 'timestamp', time),
    hostname: m[4] ?? null,
    appName: m[5] ?? null,
    procId: m[6] ?? null,
    msgId: null,
    structuredData: {},
    message: m[7] ?? '',
  };
}

function parse5424(text: string, m: RegExpExecArray, time: TimeOptions): SyslogMessage {
  const nil = (v: string | undefined) => (v === undefined || v === '-' ? null : v);
  const timestamp = m[3] as string;
  const rest = text.slice(m[0].length);
  const { data, remainder } = parseStructuredData(rest);
  return {
    rfc: '5424',
    ...priority(Number(m[1])),
    time: timestamp === '-' ? null : toTimestampMillis(timestamp, 'timestamp', time),
    hostname: nil(m[4]),
    appName: nil(m[5]),
    procId: nil(m[6]),
    msgId: nil(m[7]),
    structuredData: data,
    message: remainder.startsWith('\uFEFF') ? remainder.slice(1) : remainder,
  };
}

function priority(pri: number | null): { facility: string | null; severity: number | null } {
  if (pri === null || pri > 191) return { facility: null, severity: null };
  return { facility: FACILITIES[pri >> 3] ?? null, severity: pri & 7 };
}

/**
 * STRUCTURED-DATA: "-" or [id param="value" …][…]; inside values \" \\ and \] are escapes.
 * Malformed elements are kept as text in the message rather than guessed at.
 */
export function parseStructuredData(text: string): { data: Record<string, Record<string, string>>; remainder: string } {
  const data: Record<string, Record<string, string>> = {};
  if (text.startsWith('-')) return { data, remainder: text.slice(text[1] === ' ' ? 2 : 1) };
  let i = 0;
  while (text[i] === '[') {
    const idEnd = text.slice(i + 1).search(/[ \]]/);
    if (idEnd <= 0) break;
    const id = text.slice(i + 1, i + 1 + idEnd);
    const params: Record<string, string> = {};
    let j = i + 1 + idEnd;
    let closed = false;
    while (j < text.length) {
      if (text[j] === ']') {
        closed = true;
        j++;
        break;
      }
      const param = /^ ([^= \]"]{1,32})="/.exec(text.slice(j));
      if (!param) break;
      j += param[0].length;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\' || text[j + 1] === ']')) j++;
        value += text[j];
        j++;
      }
      j++;
      params[param[1] as string] = value;
    }
    if (!closed) return { data, remainder: text.slice(i) };
    data[id] = params;
    i = j;
  }
  return { data, remainder: text[i] === ' ' ? text.slice(i + 1) : text.slice(i) };
}
