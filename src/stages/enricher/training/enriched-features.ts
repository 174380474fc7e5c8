import type { EnricherOutput } from '../enriched-fields.js';
import { FEATURE_NAMES, type FeatureName } from '../features.js';

/** Where each feature travels on the enriched event (enriched-fields.ts writes them). */
const FIELD_OF: Record<FeatureName, keyof EnricherOutput> = {
  failures_in_window: 'WindowFailures',
  ports_per_destination: 'PortsPerDestination',
  log_bytes_ratio: 'LogBytesRatio',
  rare_destination_log_bytes: 'RareDestinationLogBytes',
  severity: 'SeverityScore',
  template_rarity: 'TemplateRarity',
};

/** The model's input as the enricher computed it for this event, or null if the event lacks a feature. */
export function featuresOfEnriched(event: EnricherOutput): number[] | null {
  const vector: number[] = [];
  for (const name of FEATURE_NAMES) {
    const value = event[FIELD_OF[name]];
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    vector.push(value);
  }
  return vector;
}
