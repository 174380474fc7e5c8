import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import { createKafka } from '../kafka/client-factory.js';
import { rootLogger } from '../observability/logger.js';
import { reportAssigned } from '../observability/readiness.js';
import type { EnrichedEvent, NormalizedEvent } from '../schemas/events.js';
import type { Incident } from '../schemas/incident.js';
import type { S3Source } from '../stages/s3-source/s3-source.js';

export const CORE_STAGES = ['s3-source', 'parser', 'enricher'] as const;

export interface RunningStage {
  name: string;
  stop(): Promise<void>;
  /** rejects when the stage stopped for good; the stage shell then fails /readyz and exits (exit-on-failure.ts) */
  failed: Promise<never>;
  /** false while the stage cannot process yet (e.g. the enricher restoring state); absent = always ready */
  ready?: () => boolean;
  /** the source's counters, for progress reporting */
  source?: S3Source;
}

/** Every runnable stage of a topology: the three core stages and one per configured sink. */
export function stageNames(topology: Topology): string[] {
  return [...CORE_STAGES, ...topology.sinks.map((s) => s.name)];
}

/**
 * Each stage's modules are loaded only when that stage starts, so a process running one stage
 * does not carry the others' dependencies (the Azure SDK, the registry client…) in its memory.
 */
export async function startStage(topology: Topology, name: string, onProgress?: (count: number) => void): Promise<RunningStage> {
  const logger = rootLogger.child({ stage: name, topology: topology.name });
  const kafka = createKafka(topology.kafka, name);
  const names = topicNames(topology);
  if (name === 's3-source') {
    const { S3Source } = await import('../stages/s3-source/s3-source.js');
    const { createS3Client } = await import('../stages/s3-source/s3-client.js');
    const source = new S3Source(topology, kafka, createS3Client(topology.source.s3), logger);
    await source.start();
    reportAssigned(name); // no group: ready once its progress is restored
    return { name, source, failed: source.failed, stop: () => source.stop() };
  }
  const { EventCodec } = await import('../schemas/event-codec.js');
  const { checkRegistryAccess, createRegistry } = await import('../schemas/registry-client.js');
  await checkRegistryAccess(topology.schemaRegistry, logger);
  const registry = createRegistry(topology.schemaRegistry);
  if (name === 'parser') {
    const { startParser } = await import('../stages/parser/parser-stage.js');
    const loop = await startParser(topology, new EventCodec<NormalizedEvent>(registry, names.normalized, 'normalized'), logger, onProgress);
    return { name, failed: loop.failed, stop: () => loop.stop() };
  }
  if (name === 'enricher') {
    const input = new EventCodec<NormalizedEvent>(registry, names.normalized, 'normalized');
    const output = new EventCodec<EnrichedEvent>(registry, names.enriched, 'enriched');
    const incidents = new EventCodec<Incident>(registry, names.incidents, 'incident');
    const { startEnricher } = await import('../stages/enricher/enricher-stage.js');
    const loop = await startEnricher(topology, kafka, input, output, incidents, logger, onProgress);
    return { name, failed: loop.failed, stop: () => loop.stop(), ready: () => loop.ready() };
  }
  const sink = topology.sinks.find((s) => s.name === name);
  if (!sink) throw new Error(`unknown stage "${name}"; this topology has: ${stageNames(topology).join(', ')}`);
  const { sinkInputSchema, sinkInputTopic } = await import('../sinks/sink-input.js');
  // an incident is delivered like an event: it has EventId, EventSchema and TimeGenerated, which is all the sink runtime reads
  const codec = new EventCodec<EnrichedEvent>(registry, sinkInputTopic(names, sink.input), sinkInputSchema(sink.input));
  const { startSink } = await import('../sinks/registry.js');
  const running = await startSink(topology, sink, codec, logger, onProgress); // ready at its first assignment
  // fails on: retries exhausted, destination misconfigured, DLQ unwritable
  return { name, failed: running.failed, stop: () => running.stop() };
}
