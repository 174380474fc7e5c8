import { isIP } from 'node:net';
import { SiemStreamError } from '../../errors.js';

/** Converters from loosely-typed source values to the normalized model; they throw RECORD_INVALID. */
export function toTimestampMillis(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const numeric = Number(value);
    if (Number.isFinite(numeric)) return toTimestampMillis(numeric, field);
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw invalid(field, 'a timestamp (ISO 8601 or epoch seconds/milliseconds)', value);
}

export function toIpAddress(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '' || value === '-') return null;
  const text = String(value).trim();
  if (isIP(text) === 0) throw invalid(field, 'an IPv4 or IPv6 address', value);
  return text;
}

export function toPort(value: unknown, field: string): number | null {
  if (value === undefined || value === null || value === '' || value === '-') return null;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw invalid(field, 'a port number 0-65535', value);
  return port;
}

export function toLong(value: unknown, field: string): number | null {
  if (value === undefined || value === null || value === '' || value === '-') return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(field, 'a non-negative integer', value);
  return n;
}

export function toText(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const EVENT_RESULTS = new Map([
  ['success', 'Success'],
  ['succeeded', 'Success'],
  ['allow', 'Success'],
  ['accept', 'Success'],
  ['ok', 'Success'],
  ['failure', 'Failure'],
  ['failed', 'Failure'],
  ['fail', 'Failure'],
  ['deny', 'Failure'],
  ['denied', 'Failure'],
  ['reject', 'Failure'],
  ['drop', 'Failure'],
  ['partial', 'Partial'],
  ['na', 'NA'],
]);

export function toEventResult(value: unknown, field: string): string | null {
  const text = toText(value);
  if (text === null) return null;
  const result = EVENT_RESULTS.get(text.toLowerCase());
  if (!result) throw invalid(field, `one of ${[...new Set(EVENT_RESULTS.values())].join(', ')} (or a synonym)`, value);
  return result;
}

function invalid(field: string, expected: string, value: unknown): SiemStreamError {
  const shown = JSON.stringify(value)?.slice(0, 200) ?? String(value);
  return new SiemStreamError('RECORD_INVALID', `${field}: expected ${expected}, got ${shown}`, { stage: 'parser' });
}
