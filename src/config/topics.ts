import type { Topology } from './schema.js';

/** Every topic name derives from the topology's prefix, so deployments can share a cluster. */
export function topicNames(topology: Pick<Topology, 'topics' | 'logTypes' | 'sinks'>) {
  const p = topology.topics.prefix;
  return {
    raw: (logType: string) => `${p}raw.${logType}`,
    rawPattern: new RegExp(`^${escapeRegExp(p)}raw\\.`),
    allRaw: Object.keys(topology.logTypes).map((t) => `${p}raw.${t}`),
    normalized: `${p}events.normalized`,
    enriched: `${p}events.enriched`,
    /** anomalies aggregated per entity, template and window (schemas/incident.avsc), key = IncidentId */
    incidents: `${p}incidents`,
    sourceOffsets: `${p}source-offsets`,
    /** objects to ingest, put there by the source's discovery; the source instances share it as a consumer group */
    sourceWork: `${p}source-work`,
    /** the enricher's window and template state, compacted; partition n holds the state of input partition n */
    enricherChangelog: `${p}enricher.changelog`,
    /** one dead-letter topic per stage or sink: `dlq.parser`, `dlq.enricher`, `dlq.<sink name>` */
    dlq: (stageOrSink: string) => `${p}dlq.${stageOrSink}`,
  };
}

export type TopicNames = ReturnType<typeof topicNames>;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
