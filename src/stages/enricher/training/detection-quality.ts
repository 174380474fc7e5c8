import type { AnomalyModel, Score } from '../anomaly-model.js';
import { type EnricherConfig, enricherSchema } from '../config.js';
import { featureRows } from '../training/feature-rows.js';
import type { IncidentKind, TrafficOptions } from './labelled-traffic.js';
import { labelledTraffic } from './labelled-traffic.js';

export interface DetectionQuality {
  events: number;
  flagged: number;
  /** flagged events that belong to an injected incident / all flagged events */
  precision: number;
  /** injected incidents with at least one flagged event / all incidents */
  recall: number;
  /** incident events flagged / all incident events */
  eventRecall: number;
  recallByKind: Record<IncidentKind, number>;
}

/** A stream unlike the training one (another seed, with incidents) through features and the model. */
export const EVALUATION_TRAFFIC: TrafficOptions = { seed: 7_331, hosts: 200, users: 100, durationMs: 3_600_000, incidentsPerKind: 5 };

export async function detectionQuality(
  model: AnomalyModel,
  traffic: TrafficOptions = EVALUATION_TRAFFIC,
  partitions = 3,
  calibrated = false,
  config: EnricherConfig = enricherSchema.parse({}),
): Promise<DetectionQuality> {
  const rows = featureRows(labelledTraffic(traffic), config, partitions);
  const scores: Score[] = [];
  for (let i = 0; i < rows.length; i += 500) scores.push(...(await model.score(rows.slice(i, i + 500).map((r) => r.features))));
  const incidents = new Map<string, { kind: IncidentKind; detected: boolean }>();
  let flagged = 0;
  let truePositives = 0;
  let incidentEvents = 0;
  const threshold = { version: model.version, threshold: model.metadata.threshold };
  rows.forEach(({ item, store, observation }, i) => {
    const score = scores[i] as Score;
    // calibrated: flagged as the stage flags (the stream's own threshold, or a never-seen sensitive template)
    const anomaly = calibrated ? store.flag(item.event, score.score, threshold).anomaly || observation.sensitiveNewTemplate : score.anomaly;
    if (anomaly) flagged++;
    if (item.incident === null || item.kind === null) return;
    incidentEvents++;
    if (anomaly) truePositives++;
    const entry = incidents.get(item.incident) ?? { kind: item.kind, detected: false };
    entry.detected ||= anomaly;
    incidents.set(item.incident, entry);
  });
  const byKind = {} as Record<IncidentKind, number>;
  for (const kind of ['port-scan', 'brute-force', 'exfiltration', 'rare-api'] as const) {
    const of = [...incidents.values()].filter((x) => x.kind === kind);
    byKind[kind] = of.length === 0 ? 0 : of.filter((x) => x.detected).length / of.length;
  }
  return {
    events: rows.length,
    flagged,
    precision: flagged === 0 ? 0 : truePositives / flagged,
    recall: incidents.size === 0 ? 0 : [...incidents.values()].filter((x) => x.detected).length / incidents.size,
    eventRecall: incidentEvents === 0 ? 0 : truePositives / incidentEvents,
    recallByKind: byKind,
  };
}
