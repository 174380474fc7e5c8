import type { Topology } from '../../config/schema.js';
import { SiemStreamError } from '../../errors.js';
import type { RejectedRecord } from '../../kafka/dlq.js';
import { deterministicEventId } from '../../schemas/event-id.js';
import { EVENT_SCHEMA_VERSION, MAPPABLE_FIELDS, type NormalizedEvent } from '../../schemas/events.js';
import { RAW_HEADER, rawRecordKey } from '../../schemas/raw-record.js';
import { entityKey, entityKeyOrder } from './entity-key.js';
import { parseFormat } from './formats/index.js';
import type { EventFields } from './formats/types.js';

/** A raw record becomes one event, or (VPC flow header lines) nothing but a remembered layout. */
export type Normalized = { kind: 'event'; event: NormalizedEvent } | { kind: 'header' };

/** Per-object state a format may keep between records (header-line layouts); bounded by the caller. */
export interface ParserState {
  layouts: Map<string, string[]>;
}

/** Raw record → normalized event of its log type's format, or a thrown RECORD_* error for the DLQ. */
export function normalizeRecord(record: RejectedRecord, topology: Topology, state: ParserState): Normalized {
  const logTypeName = record.headers[RAW_HEADER.logType];
  const logType = logTypeName === undefined ? undefined : topology.logTypes[logTypeName];
  if (!logTypeName || !logType) {
    throw new SiemStreamError('RECORD_INVALID', `unknown log type header "${logTypeName ?? '(missing)'}"`, { stage: 'parser' });
  }
  if (record.value === null || record.value.length === 0) {
    throw new SiemStreamError('RECORD_UNPARSEABLE', 'record has no value', { stage: 'parser' });
  }
  const bucket = record.headers[RAW_HEADER.bucket] ?? '';
  const key = record.headers[RAW_HEADER.key] ?? '';
  const objectId = rawRecordKey(bucket, key);
  const received = Number(record.timestamp);
  const result = parseFormat(record.value, logType, {
    headers: record.headers,
    receivedAt: Number.isFinite(received) && received > 0 ? received : Date.now(),
    objectId,
    layouts: state.layouts,
  });
  if (result.kind === 'header') return { kind: 'header' };
  const fields: EventFields = result.fields;
  const schema = logType.eventSchema ?? fields.EventSchema ?? 'Event';
  const recordNumber = Number(record.headers[RAW_HEADER.recordNumber] ?? -1);
  // filled field by field: spreading objects of ~60 keys costs more than parsing the record
  const event = {} as Record<keyof NormalizedEvent, unknown>;
  event.EventId = deterministicEventId(record.topic, record.partition, record.offset);
  event.EventSchema = schema;
  event.EventSchemaVersion = EVENT_SCHEMA_VERSION;
  for (const name of MAPPABLE_FIELDS) event[name] = fields[name] ?? null;
  event.EventType = fields.EventType ?? schema;
  event.EventProduct = fields.EventProduct ?? logType.product ?? null;
  event.EventVendor = fields.EventVendor ?? logType.vendor ?? null;
  event.EntityKey = entityKey(fields, entityKeyOrder(schema, topology.parser.entityKeys, logType.entityKey), objectId);
  event.LogType = logTypeName;
  event.SourceBucket = bucket;
  event.SourceKey = key;
  event.SourceRecordNumber = Number.isSafeInteger(recordNumber) ? recordNumber : -1;
  event.AdditionalFields = fields.AdditionalFields ?? {};
  return { kind: 'event', event: event as unknown as NormalizedEvent };
}
