import { keyPartition } from '../../../kafka/murmur2.js';
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
 * partition as the stage would (entities on `partitions` by Kafka's key partitioner), so training and scoring see
 * the same numbers.
 */
export function featureRows(stream: LabelledEvent[], config: EnricherConfig = enricherSchema.parse({}), partitions = 1): FeatureRow[] {
  const stores = Array.from({ length: partitions }, () => new PartitionStore(config));
  return stream.map((item) => {
    const store = stores[keyPartition(item.event.EntityKey, partitions)] as PartitionStore;
    const observation = store.observe(item.event);
    return { features: featureVector(observation.features), item, store, observation };
  });
}

export function toCsv(rows: FeatureRow[]): string {
  const lines = [FEATURE_NAMES.join(',')];
  for (const row of rows) lines.push(row.features.map((v) => String(Math.round(v * 1e6) / 1e6)).join(','));
  return `${lines.join('\n')}\n`;
}
