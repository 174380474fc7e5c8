import type { EntityState } from './entity-state.js';
import { distinctCount, type WindowAggregate } from './window-aggregate.js';

/** Everything the enricher computes per event; the enriched event carries each (enriched-fields.ts). */
export const COMPUTED_FEATURES = [
  'events_in_window',
  'distinct_destinations',
  'distinct_ports',
  'distinct_users',
  'failure_ratio',
  'failures_in_window',
  'ports_per_destination',
  'log_bytes_ratio',
  'rare_destination_log_bytes',
  'severity',
  'log1p_seconds_since_previous',
  'template_rarity',
] as const;

export type Features = Record<(typeof COMPUTED_FEATURES)[number], number>;

/**
 * The model's input, in this order; models/*.json must list the same names. Only what an attack
 * raises whatever the entity's volume: counts of events, destinations and users (and the gap
 * since the previous event) measure how busy an entity is, and on traffic busier than the
 * training set's they ranked ordinary busy hosts above attacks (docs/enrichment.md, "Features").
 */
export const FEATURE_NAMES = [
  'failures_in_window',
  'ports_per_destination',
  'log_bytes_ratio',
  'rare_destination_log_bytes',
  'severity',
  'template_rarity',
] as const satisfies ReadonlyArray<keyof Features>;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** A destination with fewer events than this before the event (in its partition) is rare. */
export const RARE_DESTINATION_EVENTS = 3;

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
  /** events to the event's destination seen before it in the partition; null without a destination */
  destinationSeenBefore: number | null;
  severity: number;
  templateRarity: number;
}

export function computeFeatures(i: FeatureInputs): Features {
  const gapSeconds =
    i.previousEventTime === null ? MAX_GAP_SECONDS : Math.min(MAX_GAP_SECONDS, Math.abs(i.eventTime - i.previousEventTime) / 1000);
  const bytesRatio = i.bytes === null ? 0 : i.bytesSeenBefore === 0 ? 0 : Math.log((i.bytes + 1) / (i.bytesMeanBefore + 1));
  const destinations = distinctCount(i.window.destinations);
  const ports = distinctCount(i.window.ports);
  // a transfer's size counts only where it goes somewhere rare: a backup target every host uses is not
  const rareBytes =
    i.bytes !== null && i.destinationSeenBefore !== null && i.destinationSeenBefore < RARE_DESTINATION_EVENTS ? Math.log1p(i.bytes) : 0;
  return {
    events_in_window: i.window.count,
    distinct_destinations: destinations,
    distinct_ports: ports,
    distinct_users: distinctCount(i.window.users),
    failure_ratio: i.window.count === 0 ? 0 : i.window.failures / i.window.count,
    failures_in_window: i.window.failures,
    // many ports of few hosts is a scan; a busy host's many ports go to many hosts
    ports_per_destination: ports / Math.max(1, destinations),
    log_bytes_ratio: bytesRatio,
    rare_destination_log_bytes: rareBytes,
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
