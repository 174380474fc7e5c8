import type { EnrichedEvent, NormalizedEvent } from '../../schemas/events.js';
import type { Score } from './anomaly-model.js';
import type { Observation } from './partition-store.js';

/** The fields the enricher appends to schemas/enriched-event.avsc (all optional there). */
export interface EnrichmentFields {
  AnomalyScore: number | null;
  IsAnomaly: boolean | null;
  ModelVersion: string | null;
  TemplateId: string | null;
  Template: string | null;
  TemplateRarity: number | null;
  LateEvent: boolean | null;
  DistinctDestinations: number | null;
  DistinctPorts: number | null;
  DistinctUsers: number | null;
  FailureRatio: number | null;
  WindowFailures: number | null;
  PortsPerDestination: number | null;
  LogBytesRatio: number | null;
  RareDestinationLogBytes: number | null;
  SeverityScore: number | null;
  Log1pSecondsSincePrevious: number | null;
  WindowCounts: Record<string, number> | null;
}

export type EnricherOutput = EnrichedEvent & EnrichmentFields;

/**
 * Adds the enrichment to the decoded event in place. A copy (`{ ...event, … }`) of the decoded
 * Avro record cost ~75 µs per event — a quarter of the enricher's CPU — where adding the fields to
 * it costs ~1 µs: every decoded record shares one hidden class, so V8 caches the transitions.
 */
export function enrichedEvent(event: NormalizedEvent, o: Observation, score: Score, modelVersion: string): EnricherOutput {
  const f = o.features;
  return Object.assign(event, {
    WindowStart: o.windowStart,
    WindowSizeMs: o.windowSizeMs,
    WindowEventCount: f.events_in_window,
    AnomalyScore: score.score,
    IsAnomaly: score.anomaly,
    ModelVersion: modelVersion,
    TemplateId: o.template.id,
    Template: o.template.tokens.join(' '),
    TemplateRarity: f.template_rarity,
    LateEvent: o.late,
    DistinctDestinations: f.distinct_destinations,
    DistinctPorts: f.distinct_ports,
    DistinctUsers: f.distinct_users,
    FailureRatio: f.failure_ratio,
    WindowFailures: f.failures_in_window,
    PortsPerDestination: f.ports_per_destination,
    LogBytesRatio: f.log_bytes_ratio,
    RareDestinationLogBytes: f.rare_destination_log_bytes,
    SeverityScore: f.severity,
    Log1pSecondsSincePrevious: f.log1p_seconds_since_previous,
    WindowCounts: o.windowCounts,
  });
}
