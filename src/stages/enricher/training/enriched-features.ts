import type { EnricherOutput } from '../enriched-fields.js';
import { FEATURE_NAMES, type FeatureName } from '../features.js';

/** Where each feature travels on the enriched event (enriched-fields.ts writes them). */
const FIELD_OF: Record<FeatureName, keyof EnricherOutput> = {
  events_in_window: 'WindowEventCount',
  distinct_destinations: 'DistinctDestinations',
  distinct_ports: 'DistinctPorts',
  distinct_users: 'DistinctUsers',
  failure_ratio: 'FailureRatio',
  log_bytes_ratio: 'LogBytesRatio',
  severity: 'SeverityScore',
  log1p_seconds_since_previous: 'Log1pSecondsSincePrevious',
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
