import { recordInvalid } from './field-values.js';

/** Latest instant the model accepts (end of year 9999), so every timestamp fits Avro and Date. */
const MAX_MILLIS = 253_402_300_799_999;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const MONTH_DAY =
  /^([A-Za-z]{3})\s+(\d{1,2})(?:\s+(\d{4}))?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s+(Z|UTC|GMT(?:[+-]\d{2}:?\d{2})?|[+-]\d{2}:?\d{2}))?$/;
const CLF = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*([+-]\d{4})?$/;

export interface TimeOptions {
  /** offset in minutes applied when a timestamp carries no zone */
  defaultOffsetMinutes?: number;
  /** for timestamps without a year (RFC 3164, CEF "MMM dd HH:mm:ss"): the instant they were received near */
  referenceMillis?: number;
}

/** "+02:00", "-0530", "Z" → minutes east of UTC; undefined when the text is no offset. */
export function parseOffset(text: string): number | undefined {
  if (/^(Z|UTC|GMT)$/i.test(text)) return 0;
  const m = /^(?:GMT)?([+-])(\d{2}):?(\d{2})?$/i.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 18 || Number(m[3] ?? 0) > 59) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

/**
 * A timestamp in any of the styles security logs use — ISO 8601/RFC 3339 (with or without a
 * zone), "Oct 11 22:14:15" (RFC 3164, CEF), "10/Oct/2000:13:55:36 -0700" (Apache/Nginx), epoch
 * seconds, milliseconds, microseconds or nanoseconds — as epoch milliseconds, or RECORD_INVALID.
 */
export function toTimestampMillis(value: unknown, field: string, options: TimeOptions = {}): number {
  const millis = parseTimestamp(value, options);
  if (millis === undefined || !Number.isFinite(millis) || millis < 0 || millis > MAX_MILLIS) {
    throw recordInvalid(field, 'a timestamp (ISO 8601, RFC 3164, CLF or epoch seconds/ms/µs/ns) between 1970 and 9999', value);
  }
  return millis;
}

function parseTimestamp(value: unknown, options: TimeOptions): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  const offset = options.defaultOffsetMinutes ?? 0;
  const zoneOf = (zone: string | undefined) => (zone === undefined ? offset : parseOffset(zone));
  const num = (part: string | undefined) => Number(part ?? 0);
  const monthOf = (name: string | undefined) => MONTHS.indexOf((name ?? '').toLowerCase()) + 1;
  let m = ISO.exec(text);
  if (m) {
    const zone = zoneOf(m[8]);
    return zone === undefined ? undefined : civil(num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6]), m[7], zone);
  }
  m = MONTH_DAY.exec(text);
  if (m) {
    const [, monthName, day, year, h, mi, sec, fraction, zoneText] = m;
    const month = monthOf(monthName);
    const zone = zoneOf(zoneText);
    if (month === 0 || zone === undefined) return undefined;
    const at = (y: number) => civil(y, month, num(day), num(h), num(mi), num(sec), fraction, zone);
    return year === undefined ? nearestYear(at, options.referenceMillis ?? Date.now()) : at(num(year));
  }
  m = CLF.exec(text);
  if (m) {
    const [, day, monthName, year, h, mi, sec, fraction, zoneText] = m;
    const month = monthOf(monthName);
    const zone = zoneOf(zoneText);
    if (month === 0 || zone === undefined) return undefined;
    return civil(num(year), month, num(day), num(h), num(mi), num(sec), fraction, zone);
  }
  return undefined;
}

/** Epoch numbers by magnitude: seconds, milliseconds, microseconds, nanoseconds (FortiOS eventtime). */
function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (n < 1e11) return Math.round(n * 1000);
  if (n < 1e14) return Math.round(n);
  if (n < 1e17) return Math.floor(n / 1e3);
  return Math.floor(n / 1e6);
}

function civil(y: number, mo: number, d: number, h: number, mi: number, s: number, fraction: string | undefined, offsetMinutes: number) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const millis = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
  // Date.UTC rolls 31 Feb into March; a real log never writes that, so it is rejected
  if (new Date(millis).getUTCDate() !== d) return undefined;
  return millis - offsetMinutes * 60_000;
}

/**
 * RFC 3164 has no year: take the year that puts the event closest before it was received (a day
 * of clock skew allowed), so "Dec 31 23:59" received on Jan 1 is last year's.
 */
function nearestYear(at: (year: number) => number | undefined, reference: number): number | undefined {
  const year = new Date(reference).getUTCFullYear();
  const candidates = [year - 1, year, year + 1].map(at).filter((t): t is number => t !== undefined && t <= reference + 86_400_000);
  candidates.sort((a, b) => Math.abs(a - reference) - Math.abs(b - reference));
  return candidates[0];
}
