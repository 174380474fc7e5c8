import type { TopicNames } from '../config/topics.js';
import type { SchemaName } from '../schemas/catalog.js';

/** What a sink can read: the enriched events, or the enricher's incidents. */
export const SINK_INPUTS = ['enriched', 'incidents'] as const;
export type SinkInput = (typeof SINK_INPUTS)[number];

const SCHEMA_OF: Record<SinkInput, SchemaName> = { enriched: 'enriched', incidents: 'incident' };

export function sinkInputTopic(names: Pick<TopicNames, 'enriched' | 'incidents'>, input: SinkInput): string {
  return input === 'incidents' ? names.incidents : names.enriched;
}

/** The Avro schema of the input's records (and so of a Sentinel stream's columns). */
export function sinkInputSchema(input: SinkInput): SchemaName {
  return SCHEMA_OF[input];
}
