import { Counter, Gauge } from 'prom-client';
import type { KafkaConfig } from '../config/schema.js';
import type { Kafka } from '../kafka/client.js';
import { describeLag, type GroupTopics, type PartitionLagRow } from '../ops/lag.js';
import type { Logger } from './logger.js';
import { metricsRegistry } from './metrics.js';

const labelNames = ['stage', 'group', 'topic', 'partition'] as const;

const lagRecords = new Gauge({
  name: 'siem_consumer_lag_records',
  help: 'Records between the group committed offset and the end offset',
  labelNames,
  registers: [metricsRegistry],
});
const lagSeconds = new Gauge({
  name: 'siem_consumer_lag_seconds',
  help: 'Age of the oldest record the group has not consumed (0 when caught up)',
  labelNames,
  registers: [metricsRegistry],
});
const committedOffset = new Gauge({
  name: 'siem_consumer_committed_offset',
  help: 'The group committed offset (absent when the group never committed on the partition)',
  labelNames,
  registers: [metricsRegistry],
});
const endOffset = new Gauge({
  name: 'siem_log_end_offset',
  help: 'End offset of the partition (last stable offset)',
  labelNames,
  registers: [metricsRegistry],
});
const lostRecords = new Gauge({
  name: 'siem_consumer_lost_records',
  help: 'Records deleted by retention before the group read them (log start offset - committed offset; 0 when none)',
  labelNames,
  registers: [metricsRegistry],
});
const lagErrors = new Counter({
  name: 'siem_lag_collection_errors_total',
  help: 'Failed lag collections',
  registers: [metricsRegistry],
});
const lagCollected = new Gauge({
  name: 'siem_lag_last_collected_timestamp_seconds',
  help: 'When lag was last collected successfully (unix seconds)',
  registers: [metricsRegistry],
});

/** Replace the lag gauges with these rows (partitions that vanished disappear from /metrics). */
export function publishLag(rows: PartitionLagRow[]): void {
  for (const gauge of [lagRecords, lagSeconds, committedOffset, endOffset, lostRecords]) gauge.reset();
  for (const r of rows) {
    const labels = { stage: r.stage ?? '', group: r.group, topic: r.topic, partition: String(r.partition) };
    lagRecords.set(labels, Number(r.lag));
    if (r.lagSeconds !== null) lagSeconds.set(labels, r.lagSeconds);
    if (r.committed !== null) committedOffset.set(labels, Number(r.committed));
    endOffset.set(labels, Number(r.end));
    lostRecords.set(labels, Number(r.lostRecords));
  }
  lagCollected.set(Date.now() / 1000);
}

/** Collects lag for some groups every `intervalMs` into the gauges above; a failed round is counted and logged. */
export function startLagMonitor(
  kafka: Kafka,
  config: KafkaConfig,
  groups: GroupTopics[],
  intervalMs: number,
  logger: Logger,
): { stop(): Promise<void>; collected(): boolean } {
  let stopped = false;
  let collectedOnce = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const round = async () => {
    try {
      publishLag(await describeLag(kafka, config, groups, { seconds: true }));
      collectedOnce = true;
    } catch (error) {
      lagErrors.inc();
      logger.warn({ err: error }, 'lag collection failed');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = round().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  current = round().finally(schedule);
  return {
    collected: () => collectedOnce,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
