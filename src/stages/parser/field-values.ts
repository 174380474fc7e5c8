import { isIP } from 'node:net';
import { SiemStreamError } from '../../errors.js';

/** Converters from loosely-typed source values to the normalized model; they throw RECORD_INVALID. */

/** Values that mean "no value" in the formats we read ("-" in CLF, ALB and VPC flow logs). */
export function isAbsent(value: unknown): value is undefined | null | '' | '-' {
  return value === undefined || value === null || value === '' || value === '-';
}

export function toIpAddress(value: unknown, field: string): string | null {
  if (isAbsent(value)) return null;
  let text = String(value).trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (isIP(text) === 0) throw recordInvalid(field, 'an IPv4 or IPv6 address', value);
  return text;
}

/** An address where a source may also put a name (CloudTrail's sourceIPAddress "ec2.amazonaws.com"). */
export function ipOrNull(value: unknown): string | null {
  if (isAbsent(value)) return null;
  const text = String(value).trim();
  return isIP(text) === 0 ? null : text;
}

export function toPort(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw recordInvalid(field, 'a port number 0-65535', value);
  return port;
}

export function toLong(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw recordInvalid(field, 'a non-negative integer', value);
  return n;
}

export function toInt(value: unknown, field: string, min: number, max: number): number | null {
  if (isAbsent(value)) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw recordInvalid(field, `an integer ${min}-${max}`, value);
  return n;
}

export function toText(value: unknown): string | null {
  if (isAbsent(value)) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const EVENT_RESULTS = new Map([
  ['success', 'Success'],
  ['succeeded', 'Success'],
  ['allow', 'Success'],
  ['allowed', 'Success'],
  ['accept', 'Success'],
  ['ok', 'Success'],
  ['pass', 'Success'],
  ['failure', 'Failure'],
  ['failed', 'Failure'],
  ['fail', 'Failure'],
  ['deny', 'Failure'],
  ['denied', 'Failure'],
  ['reject', 'Failure'],
  ['drop', 'Failure'],
  ['block', 'Failure'],
  ['blocked', 'Failure'],
  ['partial', 'Partial'],
  ['na', 'NA'],
]);

export function toEventResult(value: unknown, field: string): string | null {
  const text = toText(value);
  if (text === null) return null;
  const result = EVENT_RESULTS.get(text.toLowerCase());
  if (!result) throw recordInvalid(field, `one of ${[...new Set(EVENT_RESULTS.values())].join(', ')} (or a synonym)`, value);
  return result;
}

/** IANA protocol numbers the flow formats carry, as ASIM NetworkProtocol names. */
const PROTOCOLS = new Map([
  ['1', 'ICMP'],
  ['2', 'IGMP'],
  ['6', 'TCP'],
  ['17', 'UDP'],
  ['41', 'IPV6'],
  ['47', 'GRE'],
  ['50', 'ESP'],
  ['51', 'AH'],
  ['58', 'ICMPV6'],
  ['132', 'SCTP'],
]);

export function toProtocol(value: unknown): string | null {
  const text = toText(value);
  if (text === null) return null;
  return PROTOCOLS.get(text) ?? text.toUpperCase();
}

/** HTTP status → EventResult, as ASIM's WebSession parsers do. */
export function httpResult(status: number | null): string | null {
  if (status === null) return null;
  return status < 400 ? 'Success' : 'Failure';
}

export function recordInvalid(field: string, expected: string, value: unknown): SiemStreamError {
  const shown = JSON.stringify(value)?.slice(0, 200) ?? String(value);
  return new SiemStreamError('RECORD_INVALID', `${field}: expected ${expected}, got ${shown}`, { stage: 'parser' });
}

export function unparseable(message: string, cause?: unknown): SiemStreamError {
  return new SiemStreamError('RECORD_UNPARSEABLE', message, { stage: 'parser', ...(cause === undefined ? {} : { cause }) });
}
