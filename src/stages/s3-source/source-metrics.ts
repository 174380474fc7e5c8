import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics.js';

/** The source's own metrics; records out, transactions and retries use the shared ones (stage="s3-source"). */
export const s3Objects = new Counter({
  name: 'siem_s3_objects_total',
  help: 'S3 objects finished by the source, by result (completed | failed | skipped | superseded)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export const s3Bytes = new Counter({
  name: 'siem_s3_bytes_total',
  help: 'Bytes read from S3 (as stored, before decompression)',
  registers: [metricsRegistry],
});

export const s3Records = new Counter({
  name: 'siem_s3_records_total',
  help: 'Records cut from S3 objects and committed to Kafka, by outcome (emitted | oversize)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const s3ObjectsPending = new Gauge({
  name: 'siem_s3_objects_pending',
  help: 'Work items (objects) discovered and not yet finished, in the work partitions this instance owns',
  registers: [metricsRegistry],
});

export const s3OldestPendingAge = new Gauge({
  name: 'siem_s3_oldest_pending_object_age_seconds',
  help: 'Age (since discovery) of the oldest object this instance has not finished',
  registers: [metricsRegistry],
});

export const sqsMessages = new Counter({
  name: 'siem_s3_sqs_messages_total',
  help: 'SQS notifications handled, by result (deleted | test-event | unparseable | ignored)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export const sqsInFlight = new Gauge({
  name: 'siem_s3_sqs_messages_in_flight',
  help: 'SQS messages received whose objects are not all finished (their visibility is being extended)',
  registers: [metricsRegistry],
});

export const s3ObjectsDeadLettered = new Counter({
  name: 'siem_s3_objects_dead_lettered_total',
  help: 'S3 objects recorded as failed with a DLQ record, by reason (not-retriable | retries-exhausted | superseded)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const objectActions = new Counter({
  name: 'siem_source_object_actions_total',
  help: 'After-ingest actions on S3 objects, by action (tag | move | delete) and result (done | superseded | gone | failed)',
  labelNames: ['action', 'result'] as const,
  registers: [metricsRegistry],
});

export const progressExpired = new Counter({
  name: 'siem_s3_progress_expired_total',
  help: 'Progress records of finished objects deleted (tombstoned) from source-offsets by progress retention',
  registers: [metricsRegistry],
});
