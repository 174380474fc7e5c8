import { topologyCompression } from '../../config/compression.js';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { type InputRecord, type RecordOutcome, type RunningLoop, runTransactionalLoop } from '../../kafka/transactional-loop.js';
import type { Logger } from '../../observability/logger.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { NormalizedEvent } from '../../schemas/events.js';
import { BoundedMap } from './bounded-map.js';
import { normalizeRecord, type ParserState } from './normalize.js';

export const PARSER_STAGE = 'parser';

/** Header-line layouts remembered per S3 object; an object's lines arrive in order on one partition. */
const MAX_REMEMBERED_OBJECTS = 10_000;

/** Stateless but for header-line layouts: raw records of any routed log type → Avro normalized events, or the parser DLQ. */
export async function startParser(
  topology: Topology,
  codec: EventCodec<NormalizedEvent>,
  logger: Logger,
  onCommitted?: (count: number) => void,
): Promise<RunningLoop> {
  const names = topicNames(topology);
  await codec.register();
  const state: ParserState = { layouts: new BoundedMap(MAX_REMEMBERED_OBJECTS) };
  return runTransactionalLoop({
    kafka: topology.kafka,
    stage: PARSER_STAGE,
    groupId: topology.parser.groupId,
    topics: names.allRaw,
    dlqTopic: names.dlq(PARSER_STAGE),
    maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
    partitionsConsumedConcurrently: topology.parser.partitionsConsumedConcurrently,
    compression: topologyCompression(topology.topics)(names.normalized),
    logger,
    ...(onCommitted ? { onCommitted } : {}),
    transform: (record) => parseRecord(record, topology, state, codec, names.normalized),
  });
}

export async function parseRecord(
  record: InputRecord,
  topology: Topology,
  state: ParserState,
  codec: EventCodec<NormalizedEvent>,
  outputTopic: string,
): Promise<RecordOutcome> {
  const normalized = normalizeRecord(record, topology, state);
  if (normalized.kind === 'header') return { kind: 'emit', records: [] };
  const { event } = normalized;
  const value = await codec.encode(event);
  return {
    kind: 'emit',
    records: [{ topic: outputTopic, key: event.EntityKey, value, headers: { ...record.headers, 'siem.event.id': event.EventId } }],
  };
}
