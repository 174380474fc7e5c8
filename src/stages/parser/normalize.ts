import type { Topology } from '../../config/schema.js';
import { SiemStreamError } from '../../errors.js';
import type { RejectedRecord } from '../../kafka/dlq.js';
import { deterministicEventId, sourceEventId } from '../../schemas/event-id.js';
import { EVENT_SCHEMA_VERSION, type NormalizedEvent } from '../../schemas/events.js';
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
  // own keys only: a header naming an Object.prototype member ("constructor") is just an unknown log type
  const logType = logTypeName !== undefined && Object.hasOwn(topology.logTypes, logTypeName) ? topology.logTypes[logTypeName] : undefined;
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
  // one literal of a fixed shape (every field null), then the format's fields: spreads of ~60 keys are slow
  const event: NormalizedEvent = {
    EventId: eventIdOf(record),
    EventSchema: schema,
    EventSchemaVersion: EVENT_SCHEMA_VERSION,
    TimeGenerated: fields.TimeGenerated,
    EventType: schema,
    EventProduct: logType.product ?? null,
    EventVendor: logType.vendor ?? null,
    EventStartTime: null,
    EventEndTime: null,
    EventResult: null,
    EventSeverity: null,
    EventOriginalSeverity: null,
    EventOriginalUid: null,
    SrcIpAddr: null,
    SrcPortNumber: null,
    DstIpAddr: null,
    DstPortNumber: null,
    NetworkProtocol: null,
    DvcAction: null,
    SrcBytes: null,
    ActorUsername: null,
    TargetUsername: null,
    EventSubType: null,
    EventMessage: null,
    EventOriginalType: null,
    EventResultDetails: null,
    Dvc: null,
    DvcHostname: null,
    DvcIpAddr: null,
    DvcScopeId: null,
    DvcInterface: null,
    SrcHostname: null,
    DstHostname: null,
    DstBytes: null,
    NetworkPackets: null,
    NetworkDirection: null,
    NetworkRuleName: null,
    ActorUserId: null,
    ActorUserType: null,
    TargetAppName: null,
    LogonMethod: null,
    Operation: null,
    Object: null,
    ObjectType: null,
    Url: null,
    HttpRequestMethod: null,
    HttpStatusCode: null,
    HttpUserAgent: null,
    ThreatName: null,
    ThreatCategory: null,
    EntityKey: entityKey(fields, entityKeyOrder(schema, topology.parser.entityKeys, logType.entityKey), objectId),
    LogType: logTypeName,
    SourceBucket: bucket,
    SourceKey: key,
    SourceRecordNumber: Number.isSafeInteger(recordNumber) ? recordNumber : -1,
    AdditionalFields: {},
  };
  // copy only what the format filled: probing ~45 absent keys of its object costs more than the parse
  const target = event as unknown as Record<string, unknown>;
  for (const name in fields) {
    const value = (fields as Record<string, unknown>)[name];
    if (value !== undefined && value !== null) target[name] = value;
  }
  event.EventSchema = schema;
  return { kind: 'event', event };
}

/** From the record's S3 position when the source wrote it, so a copy anywhere carries the same id. */
function eventIdOf(record: { topic: string; partition: number; offset: string; headers: Record<string, string> }): string {
  const h = record.headers;
  const bucket = h[RAW_HEADER.bucket];
  const key = h[RAW_HEADER.key];
  const etag = h[RAW_HEADER.etag];
  const recordNumber = h[RAW_HEADER.recordNumber];
  if (bucket !== undefined && key !== undefined && etag !== undefined && recordNumber !== undefined) {
    return sourceEventId({ bucket, key, etag, recordNumber, reingestId: h[RAW_HEADER.reingestId] });
  }
  return deterministicEventId(record.topic, record.partition, record.offset);
}
