import type { Kafka } from 'kafkajs';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { type RunningLoop, runTransactionalLoop } from '../../kafka/transactional-loop.js';
import type { Logger } from '../../observability/logger.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { EnrichedEvent, NormalizedEvent } from '../../schemas/events.js';
import { TumblingWindowCounter } from './tumbling-window-counter.js';

export const ENRICHER_STAGE = 'enricher';

/**
 * Adds per-entity tumbling-window counts to each normalized event. State lives in memory per
 * input partition (events are keyed by entity, so an entity's events share a partition).
 */
export async function startEnricher(
  topology: Topology,
  kafka: Kafka,
  input: EventCodec<NormalizedEvent>,
  output: EventCodec<EnrichedEvent>,
  logger: Logger,
  onCommitted?: (count: number) => void,
): Promise<RunningLoop> {
  const names = topicNames(topology);
  const windows = new Map<number, TumblingWindowCounter>();
  const counterFor = (partition: number) => {
    let counter = windows.get(partition);
    if (!counter) {
      counter = new TumblingWindowCounter(topology.enricher.windowMs);
      windows.set(partition, counter);
    }
    return counter;
  };
  await output.register();
  return runTransactionalLoop({
    kafka,
    stage: ENRICHER_STAGE,
    groupId: topology.enricher.groupId,
    topics: [names.normalized],
    dlqTopic: names.dlq(ENRICHER_STAGE),
    maxRecordsPerTransaction: topology.enricher.maxRecordsPerTransaction,
    sessionTimeoutMs: topology.kafka.sessionTimeoutMs,
    logger,
    ...(onCommitted ? { onCommitted } : {}),
    transform: async (record) => {
      const event = await input.decode(record.value);
      const { windowStart, count } = counterFor(record.partition).add(event.EntityKey, event.TimeGenerated);
      const enriched: EnrichedEvent = {
        ...event,
        WindowStart: windowStart,
        WindowSizeMs: topology.enricher.windowMs,
        WindowEventCount: count,
      };
      return {
        kind: 'emit',
        records: [{ topic: names.enriched, key: record.key, value: await output.encode(enriched), headers: record.headers }],
      };
    },
  });
}
