import { type EnricherConfig, enricherSchema } from '../config.js';
import { FEATURE_NAMES, featureVector } from '../features.js';
import { type Observation, PartitionStore } from '../partition-store.js';
import type { LabelledEvent } from './labelled-traffic.js';

export interface FeatureRow {
  features: number[];
  item: LabelledEvent;
  /** the store the event went through, which also calibrates its score */
  store: PartitionStore;
  observation: Observation;
}

/**
 * Runs a labelled stream through the enricher's own state and feature code, one store per
 * partition as the stage would (entities hashed onto `partitions`), so training and scoring see
 * the same numbers.
 */
export function featureRows(stream: LabelledEvent[], config: EnricherConfig = enricherSchema.parse({}), partitions = 1): FeatureRow[] {
  const stores = Array.from({ length: partitions }, () => new PartitionStore(config));
  return stream.map((item) => {
    const store = stores[hashPartition(item.event.EntityKey, partitions)] as PartitionStore;
    const observation = store.observe(item.event);
    return { features: featureVector(observation.features), item, store, observation };
  });
}

export function toCsv(rows: FeatureRow[]): string {
  const lines = [FEATURE_NAMES.join(',')];
  for (const row of rows) lines.push(row.features.map((v) => String(Math.round(v * 1e6) / 1e6)).join(','));
  return `${lines.join('\n')}\n`;
}

/** The partition an entity's events go to here (a string hash: the stage's is Kafka's murmur2, but only the grouping matters). */
export function hashPartition(key: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % partitions;
}
