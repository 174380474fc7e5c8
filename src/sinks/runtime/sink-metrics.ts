import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics.js';

/** Metrics every sink emits through the shared runtime; labels are bounded. */
export const sinkRequests = new Counter({
  name: 'siem_sink_requests_total',
  help: 'Requests (batches written) to a destination, by result (ok | retry | reject | too-large)',
  labelNames: ['stage', 'result'] as const,
  registers: [metricsRegistry],
});

export const sinkUploadSeconds = new Histogram({
  name: 'siem_sink_upload_seconds',
  help: 'Time of one write of a batch to the destination',
  labelNames: ['stage'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const sinkBatchBytes = new Histogram({
  name: 'siem_sink_batch_bytes',
  help: 'Size of a batch as the destination counts it',
  labelNames: ['stage'] as const,
  buckets: [1_024, 16_384, 65_536, 262_144, 524_288, 786_432, 917_504, 1_048_576],
  registers: [metricsRegistry],
});

export const sinkInFlight = new Gauge({
  name: 'siem_sink_inflight_batches',
  help: 'Batches being written now',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const sinkBackPressure = new Counter({
  name: 'siem_sink_backpressure_waits_total',
  help: 'Times the consumer waited because the buffer was full',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const schemaGuardFindings = new Counter({
  name: 'siem_sink_schema_guard_total',
  help: 'Columns the schema guard found, by problem (undeclared | type | too-large | reserved)',
  labelNames: ['stage', 'stream', 'problem'] as const,
  registers: [metricsRegistry],
});

export const piiTransforms = new Counter({
  name: 'siem_sink_pii_transforms_total',
  help: 'Field values the PII rules transformed before a destination, by field and action applied (hash | truncate | mask | drop)',
  labelNames: ['stage', 'field', 'action'] as const,
  registers: [metricsRegistry],
});

export const sinkBuffered = new Gauge({
  name: 'siem_sink_buffered',
  help: 'What the sink holds between its consumer and the destination (back-pressure engages at its limits)',
  labelNames: ['stage', 'unit'] as const,
  registers: [metricsRegistry],
});

export const sinkQueuedBatches = new Gauge({
  name: 'siem_sink_queued_batches',
  help: 'Closed batches waiting for an in-flight slot',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});
