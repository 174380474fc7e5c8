import { unparseable } from '../field-values.js';
import { decodeText } from '../text.js';

export type JsonObject = Record<string, unknown>;

/** One record's bytes as a JSON object, or RECORD_UNPARSEABLE naming what it was instead. */
export function parseJsonObject(bytes: Buffer): JsonObject {
  let value: unknown;
  const { text } = decodeText(bytes);
  if (text.trim() === '') throw unparseable('empty record');
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw unparseable(`not JSON: ${(cause as Error).message}`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw unparseable(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as JsonObject;
}

export function getPath(source: unknown, path: string): unknown {
  return getSegments(source, path.split('.'));
}

export function getSegments(source: unknown, segments: readonly string[]): unknown {
  let node: unknown = source;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as JsonObject)[segment];
  }
  return node;
}

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** Top-level source fields no mapping used, as text (objects as JSON). */
export function remainingFields(source: JsonObject, used: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (used.has(k) || v === undefined || v === null) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
