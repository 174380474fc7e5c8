import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics.js';

export const entitiesGauge = new Gauge({
  name: 'siem_enricher_entities',
  help: 'Entities held in window state, per input partition',
  labelNames: ['partition'] as const,
  registers: [metricsRegistry],
});

export const templatesGauge = new Gauge({
  name: 'siem_enricher_templates',
  help: 'Drain templates held, per input partition',
  labelNames: ['partition'] as const,
  registers: [metricsRegistry],
});

export const entitiesEvicted = new Counter({
  name: 'siem_enricher_entities_evicted_total',
  help: 'Entities dropped from state because a partition held maxEntitiesPerPartition',
  registers: [metricsRegistry],
});

export const lateEvents = new Counter({
  name: 'siem_enricher_late_events_total',
  help: 'Events that arrived after the watermark closed one of their windows (passed through with LateEvent=true)',
  registers: [metricsRegistry],
});

export const anomalies = new Counter({
  name: 'siem_enricher_anomalies_total',
  help: 'Events flagged (IsAnomaly), by model version and reason (score: above the calibrated threshold | new-sensitive-template)',
  labelNames: ['model_version', 'reason'] as const,
  registers: [metricsRegistry],
});

export const inferenceSeconds = new Histogram({
  name: 'siem_enricher_inference_seconds',
  help: 'ONNX inference time per chunk',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  registers: [metricsRegistry],
});

export const restoreSeconds = new Histogram({
  name: 'siem_enricher_restore_seconds',
  help: 'Time to restore one partition from the changelog',
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const incidentRecords = new Counter({
  name: 'siem_enricher_incidents_total',
  help: 'Incident records written to the incidents topic, by status (open | updated | closed), reason of their events (score | new-sensitive-template | both) and log type',
  labelNames: ['status', 'reason', 'log_type'] as const,
  registers: [metricsRegistry],
});

export const incidentsRefused = new Counter({
  name: 'siem_enricher_incidents_refused_total',
  help: 'Anomalies not aggregated because their partition held enricher.incidents.maxOpenPerPartition open incidents (the events stay flagged)',
  registers: [metricsRegistry],
});

export const openIncidentsGauge = new Gauge({
  name: 'siem_enricher_open_incidents',
  help: 'Open incidents held, per input partition',
  labelNames: ['partition'] as const,
  registers: [metricsRegistry],
});
