import type { LogTypeConfig } from '../../config/schema.js';
import { SiemStreamError } from '../../errors.js';
import type { MappableField, NormalizedEvent } from '../../schemas/events.js';
import { toEventResult, toIpAddress, toLong, toPort, toText, toTimestampMillis } from './field-values.js';

export type ParsedFields = Pick<NormalizedEvent, MappableField | 'AdditionalFields'>;

/**
 * Generic JSON lines: each line one JSON object, mapped into the normalized model through
 * the log type's field map (normalized field → dotted path). Source fields no mapping uses
 * are kept, as text, in AdditionalFields.
 */
export function parseJsonRecord(bytes: Buffer, logType: LogTypeConfig): ParsedFields {
  const source = parseObject(bytes);
  const map = logType.fieldMap;
  const pick = (field: MappableField): unknown => (map[field] === undefined ? undefined : getPath(source, map[field]));
  const time = pick('TimeGenerated');
  if (time === undefined)
    throw new SiemStreamError('RECORD_INVALID', `TimeGenerated: source field "${map.TimeGenerated ?? '(unmapped)'}" is missing`, {
      stage: 'parser',
    });
  const fields: ParsedFields = {
    TimeGenerated: toTimestampMillis(time, 'TimeGenerated'),
    EventStartTime: optionalTime(pick('EventStartTime'), 'EventStartTime'),
    EventEndTime: optionalTime(pick('EventEndTime'), 'EventEndTime'),
    EventType: toText(pick('EventType')) ?? logType.eventSchema,
    EventResult: toEventResult(pick('EventResult'), 'EventResult'),
    EventSeverity: toText(pick('EventSeverity')),
    EventOriginalSeverity: toText(pick('EventOriginalSeverity')),
    EventOriginalUid: toText(pick('EventOriginalUid')),
    EventProduct: toText(pick('EventProduct')) ?? logType.product ?? null,
    EventVendor: toText(pick('EventVendor')) ?? logType.vendor ?? null,
    SrcIpAddr: toIpAddress(pick('SrcIpAddr'), 'SrcIpAddr'),
    SrcPortNumber: toPort(pick('SrcPortNumber'), 'SrcPortNumber'),
    DstIpAddr: toIpAddress(pick('DstIpAddr'), 'DstIpAddr'),
    DstPortNumber: toPort(pick('DstPortNumber'), 'DstPortNumber'),
    NetworkProtocol: toText(pick('NetworkProtocol'))?.toUpperCase() ?? null,
    DvcAction: toText(pick('DvcAction')),
    SrcBytes: toLong(pick('SrcBytes'), 'SrcBytes'),
    ActorUsername: toText(pick('ActorUsername')),
    TargetUsername: toText(pick('TargetUsername')),
    AdditionalFields: additionalFields(source, new Set(Object.values(map).map((p) => p.split('.')[0] as string))),
  };
  return fields;
}

function parseObject(bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new SiemStreamError('RECORD_UNPARSEABLE', `not JSON: ${(cause as Error).message}`, { stage: 'parser', cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SiemStreamError('RECORD_UNPARSEABLE', `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`, {
      stage: 'parser',
    });
  }
  return value as Record<string, unknown>;
}

function getPath(source: Record<string, unknown>, path: string): unknown {
  let node: unknown = source;
  for (const segment of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function optionalTime(value: unknown, field: string): number | null {
  return value === undefined || value === null || value === '' ? null : toTimestampMillis(value, field);
}

function additionalFields(source: Record<string, unknown>, used: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (used.has(k) || v === undefined || v === null) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
