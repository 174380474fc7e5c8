import type { Kafka } from 'kafkajs';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { SiemStreamError } from '../../errors.js';
import { type InputRecord, type RecordOutcome, type RunningLoop, runTransactionalLoop } from '../../kafka/transactional-loop.js';
import type { Logger } from '../../observability/logger.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import { deterministicEventId } from '../../schemas/event-id.js';
import type { NormalizedEvent } from '../../schemas/events.js';
import { RAW_HEADER } from '../../schemas/raw-record.js';
import { entityKey } from './entity-key.js';
import { parseJsonRecord } from './json-format.js';

export const PARSER_STAGE = 'parser';

/** Stateless: raw records of any routed log type → Avro normalized events, or the parser DLQ. */
export async function startParser(
  topology: Topology,
  kafka: Kafka,
  codec: EventCodec<NormalizedEvent>,
  logger: Logger,
  onCommitted?: (count: number) => void,
): Promise<RunningLoop> {
  const names = topicNames(topology);
  await codec.register();
  return runTransactionalLoop({
    kafka,
    stage: PARSER_STAGE,
    groupId: topology.parser.groupId,
    topics: names.allRaw,
    dlqTopic: names.dlq(PARSER_STAGE),
    maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
    sessionTimeoutMs: topology.kafka.sessionTimeoutMs,
    logger,
    ...(onCommitted ? { onCommitted } : {}),
    transform: (record) => parseRecord(record, topology, codec, names.normalized),
  });
}

async function parseRecord(
  record: InputRecord,
  topology: Topology,
  codec: EventCodec<NormalizedEvent>,
  outputTopic: string,
): Promise<RecordOutcome> {
  const event = normalize(record, topology);
  const value = await codec.encode(event);
  return {
    kind: 'emit',
    records: [{ topic: outputTopic, key: event.EntityKey, value, headers: { ...record.headers, 'siem.event.id': event.EventId } }],
  };
}

export function normalize(record: InputRecord, topology: Topology): NormalizedEvent {
  const logTypeName = record.headers[RAW_HEADER.logType];
  const logType = logTypeName === undefined ? undefined : topology.logTypes[logTypeName];
  if (!logTypeName || !logType) {
    throw new SiemStreamError('RECORD_INVALID', `unknown log type header "${logTypeName ?? '(missing)'}"`, { stage: PARSER_STAGE });
  }
  if (record.value === null) throw new SiemStreamError('RECORD_UNPARSEABLE', 'record has no value', { stage: PARSER_STAGE });
  const fields = parseJsonRecord(record.value, logType);
  return {
    ...fields,
    EventId: deterministicEventId(record.topic, record.partition, record.offset),
    EventSchema: logType.eventSchema,
    EventSchemaVersion: '0.1',
    EntityKey: entityKey(logType.eventSchema, fields),
    LogType: logTypeName,
    SourceBucket: record.headers[RAW_HEADER.bucket] ?? '',
    SourceKey: record.headers[RAW_HEADER.key] ?? '',
    SourceRecordNumber: Number(record.headers[RAW_HEADER.recordNumber] ?? -1),
  };
}
