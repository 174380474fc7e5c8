import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Every stage records into these; labels are bounded (stage, topic, error code, result). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'siem_' });

export const recordsIn = new Counter({
  name: 'siem_records_in_total',
  help: 'Records a stage received',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const recordsOut = new Counter({
  name: 'siem_records_out_total',
  help: 'Records a stage delivered, by destination (topic or sink stream)',
  labelNames: ['stage', 'destination'] as const,
  registers: [metricsRegistry],
});

export const dlqRecords = new Counter({
  name: 'siem_dlq_records_total',
  help: 'Records sent to a dead-letter topic, by error code',
  labelNames: ['stage', 'error_code'] as const,
  registers: [metricsRegistry],
});

export const transactions = new Counter({
  name: 'siem_kafka_transactions_total',
  help: 'Kafka transactions ended, by result (commit | abort)',
  labelNames: ['stage', 'result'] as const,
  registers: [metricsRegistry],
});

export const retries = new Counter({
  name: 'siem_retries_total',
  help: 'Retried operations, by error code',
  labelNames: ['stage', 'error_code'] as const,
  registers: [metricsRegistry],
});

export const batchDuration = new Histogram({
  name: 'siem_batch_duration_seconds',
  help: 'Time to process and commit one batch (transaction or upload)',
  labelNames: ['stage'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
