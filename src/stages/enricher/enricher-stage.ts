import { topologyCompression } from '../../config/compression.js';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { isRecordFault } from '../../errors.js';
import type { Kafka } from '../../kafka/client.js';
import {
  type InputRecord,
  type OutputRecord,
  type PartitionState,
  type RecordOutcome,
  type RunningLoop,
  runTransactionalLoop,
} from '../../kafka/transactional-loop.js';
import type { Logger } from '../../observability/logger.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { EnrichedEvent, NormalizedEvent } from '../../schemas/events.js';
import type { Incident } from '../../schemas/incident.js';
import type { Score } from './anomaly-model.js';
import { readChangelogPartition } from './changelog-reader.js';
import { enrichedEvent } from './enriched-fields.js';
import {
  entitiesEvicted,
  entitiesGauge,
  incidentRecords,
  incidentsRefused,
  inferenceSeconds,
  lateEvents,
  openIncidentsGauge,
  restoreSeconds,
  templatesGauge,
} from './enricher-metrics.js';
import { featureVector } from './features.js';
import { flagAndTrack } from './flag-and-track.js';
import { ModelHolder } from './model-holder.js';
import { type Observation, PartitionStore } from './partition-store.js';
import { sourceClockPolicy } from './source-grace.js';

export const ENRICHER_STAGE = 'enricher';

/**
 * Normalized events → enriched events: per-entity event-time windows, Drain templates and an
 * anomaly score; flagged events are aggregated into incidents (incidents.ts), written to the
 * incidents topic with the chunk's outputs. State lives in memory per input partition (events are keyed by entity, so an
 * entity's events share a partition); every change goes to the compacted changelog in the same
 * transaction as the outputs and offsets, and a partition is restored from it before its first chunk.
 */
export async function startEnricher(
  topology: Topology,
  kafka: Kafka,
  input: EventCodec<NormalizedEvent>,
  output: EventCodec<EnrichedEvent>,
  incidents: EventCodec<Incident>,
  logger: Logger,
  onCommitted?: (count: number) => void,
): Promise<RunningLoop> {
  const names = topicNames(topology);
  const config = topology.enricher;
  const models = await ModelHolder.start(config.model.path, config.model.watch, logger);
  const stores = new Map<number, PartitionStore>();
  const clockPolicy = sourceClockPolicy(config, Object.fromEntries(Object.entries(topology.logTypes).map(([name, t]) => [name, t.format])));
  logger.info(
    {
      graceMsByLogType: Object.fromEntries(Object.keys(topology.logTypes).map((name) => [name, clockPolicy.graceOf(name)])),
      allowedLatenessMs: config.allowedLatenessMs,
    },
    'event time per log type',
  );

  const state: PartitionState = {
    restore: async (_topic, partition) => {
      const timer = restoreSeconds.startTimer();
      const store = new PartitionStore(config, clockPolicy);
      const latest = await readChangelogPartition(kafka, names.enricherChangelog, partition);
      store.restore(latest);
      stores.set(partition, store);
      const seconds = timer();
      logger.info(
        {
          partition,
          keys: latest.size,
          entities: store.entityCount,
          templates: store.templateCount,
          openIncidents: store.incidents.openCount,
          seconds,
        },
        'partition state restored',
      );
    },
    flush: (_topic, partition) => {
      const store = stores.get(partition);
      if (!store) return [];
      entitiesGauge.set({ partition }, store.entityCount);
      templatesGauge.set({ partition }, store.templateCount);
      openIncidentsGauge.set({ partition }, store.incidents.openCount);
      return store.takeChanges().map(([key, value]): OutputRecord => ({ topic: names.enricherChangelog, partition, key, value }));
    },
    discard: (_topic, partition) => {
      stores.delete(partition);
      entitiesGauge.remove({ partition });
      templatesGauge.remove({ partition });
      openIncidentsGauge.remove({ partition });
    },
  };

  const enrichChunk = async (records: InputRecord[]): Promise<RecordOutcome[]> => {
    const first = records[0];
    const store = first ? stores.get(first.partition) : undefined;
    if (!first || !store) return [];
    const decoded = await Promise.all(records.map((r) => input.decode(r.value).catch(recordFaultOnly)));
    const evictedBefore = store.evictedEntities;
    const lateBefore = store.lateEvents;
    const observed: Array<{ event: NormalizedEvent; o: Observation } | { error: unknown }> = decoded.map((d) =>
      'error' in d ? d : { event: d, o: store.observe(d) },
    );
    entitiesEvicted.inc(store.evictedEntities - evictedBefore);
    lateEvents.inc(store.lateEvents - lateBefore);
    const model = models.model;
    const vectors = observed.flatMap((x) => ('o' in x ? [featureVector(x.o.features)] : []));
    const stop = inferenceSeconds.startTimer();
    const scores = await model.score(vectors);
    stop();
    let next = 0;
    const refusedBefore = store.incidents.refused;
    // flags and incidents in partition order, before any await: calibration and incidents depend on it
    const flagged = observed.map((x) =>
      'error' in x ? x : { ...x, ...flagAndTrack(store, x.event, x.o, (scores[next++] as Score).score, model) },
    );
    incidentsRefused.inc(store.incidents.refused - refusedBefore);
    return Promise.all(
      flagged.map(async (x, i): Promise<RecordOutcome> => {
        if ('error' in x) return { kind: 'reject', error: x.error };
        const record = records[i] as InputRecord;
        const value = await output.encode(enrichedEvent(x.event, x.o, x.score, model.version));
        const out: OutputRecord[] = [{ topic: names.enriched, key: record.key, value, headers: record.headers }];
        for (const { incident, status } of x.incidentsOut) {
          incidentRecords.inc({
            status,
            reason: incident.Reasons.length > 1 ? 'both' : (incident.Reasons[0] as string),
            log_type: incident.LogType,
          });
          out.push({ topic: names.incidents, key: Buffer.from(incident.IncidentId), value: await incidents.encode(incident) });
        }
        return { kind: 'emit', records: out };
      }),
    );
  };

  await output.register();
  await incidents.register();
  const loop = await runTransactionalLoop({
    kafka: topology.kafka,
    stage: ENRICHER_STAGE,
    groupId: config.groupId,
    topics: [names.normalized],
    dlqTopic: names.dlq(ENRICHER_STAGE),
    maxRecordsPerTransaction: config.maxRecordsPerTransaction,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    compression: topologyCompression(topology.topics)(names.enriched),
    logger,
    ...(onCommitted ? { onCommitted } : {}),
    transformChunk: enrichChunk,
    state,
    stateTopics: new Set([names.enricherChangelog]),
  });
  return {
    ...loop,
    stop: async () => {
      await loop.stop();
      await models.close();
    },
  };
}

function recordFaultOnly(error: unknown): { error: unknown } {
  if (isRecordFault(error)) return { error };
  throw error;
}
