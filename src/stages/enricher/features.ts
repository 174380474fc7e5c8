import type { EntityState } from './entity-state.js';
import { distinctCount, type WindowAggregate } from './window-aggregate.js';

/** The model's input, in this order; models/*.json must list the same names. */
export const FEATURE_NAMES = [
  'events_in_window',
  'distinct_destinations',
  'distinct_ports',
  'distinct_users',
  'failure_ratio',
  'log_bytes_ratio',
  'severity',
  'log1p_seconds_since_previous',
  'template_rarity',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export type Features = Record<FeatureName, number>;

/** Seconds since the entity's previous event are capped at a day; an entity's first event counts as that. */
export const MAX_GAP_SECONDS = 86_400;

export interface FeatureInputs {
  /** the event's feature window after the event was added (or only the event, if it was late) */
  window: WindowAggregate;
  /** the entity's history as it was before the event */
  previousEventTime: number | null;
  bytesMeanBefore: number;
  bytesSeenBefore: number;
  eventTime: number;
  bytes: number | null;
  severity: number;
  templateRarity: number;
}

export function computeFeatures(i: FeatureInputs): Features {
  const gapSeconds =
    i.previousEventTime === null ? MAX_GAP_SECONDS : Math.min(MAX_GAP_SECONDS, Math.abs(i.eventTime - i.previousEventTime) / 1000);
  const bytesRatio = i.bytes === null ? 0 : i.bytesSeenBefore === 0 ? 0 : Math.log((i.bytes + 1) / (i.bytesMeanBefore + 1));
  return {
    events_in_window: i.window.count,
    distinct_destinations: distinctCount(i.window.destinations),
    distinct_ports: distinctCount(i.window.ports),
    distinct_users: distinctCount(i.window.users),
    failure_ratio: i.window.count === 0 ? 0 : i.window.failures / i.window.count,
    log_bytes_ratio: bytesRatio,
    severity: i.severity,
    log1p_seconds_since_previous: Math.log1p(gapSeconds),
    template_rarity: i.templateRarity,
  };
}

export function featureVector(f: Features): number[] {
  return FEATURE_NAMES.map((name) => f[name]);
}

export function historyOf(state: EntityState): Pick<FeatureInputs, 'previousEventTime' | 'bytesMeanBefore' | 'bytesSeenBefore'> {
  return { previousEventTime: state.lastEventTime, bytesMeanBefore: state.bytesMean, bytesSeenBefore: state.bytesSeen };
}
