import type { NormalizedEvent } from '../../schemas/events.js';
import type { AnomalyModel } from './anomaly-model.js';
import { anomalies } from './enricher-metrics.js';
import { featureDeviations } from './feature-deviation.js';
import type { FlaggedEvent } from './incidents.js';
import type { Observation, PartitionStore } from './partition-store.js';

/** One scored event, in partition order: whether it is flagged (calibrated score or a never-seen sensitive template), and the incident records it causes. */
export function flagAndTrack(store: PartitionStore, event: NormalizedEvent, o: Observation, score: number, model: AnomalyModel) {
  const calibrated = store.flag(event, score, { version: model.version, threshold: model.metadata.threshold });
  const reason = calibrated.anomaly ? 'score' : o.sensitiveNewTemplate ? 'new-sensitive-template' : undefined;
  if (reason) anomalies.inc({ model_version: model.version, reason });
  const hit: FlaggedEvent | null = reason
    ? { reason, score, deviations: featureDeviations(o.features, model.metadata.scaling), modelVersion: model.version }
    : null;
  return {
    score: { score, anomaly: reason !== undefined },
    incidentsOut: store.incidents.track(event, o.closeWatermark, o.template, hit),
  };
}
