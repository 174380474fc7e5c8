import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import type { Logger } from '../observability/logger.js';
import type { EventCodec } from '../schemas/event-codec.js';
import type { EnrichedEvent } from '../schemas/events.js';
import type { SinkConfig } from './config.js';
import { DESTINATIONS } from './destinations.js';
import { buildPiiPolicy } from './pii/policy.js';
import { type RunningSink, startSinkRunner } from './runtime/sink-runner.js';
import { sinkInputTopic } from './sink-input.js';
import type { SinkContext, SinkWriter } from './sink-module.js';

/** The open function of each destination in destinations.ts, by its config `type`. */
const OPENERS = new Map<string, (config: SinkConfig, context: SinkContext) => Promise<SinkWriter>>(
  DESTINATIONS.map((d) => [d.configSchema.shape.type.value, d.open as (config: SinkConfig, context: SinkContext) => Promise<SinkWriter>]),
);

export function sinkGroupId(config: SinkConfig): string {
  return config.groupId ?? `siem-sink-${config.name}`;
}

export async function openSinkWriter(config: SinkConfig, logger: Logger): Promise<SinkWriter> {
  const open = OPENERS.get(config.type);
  if (!open) throw new Error(`no destination of type "${config.type}" in destinations.ts`);
  return open(config, { stage: config.name, logger });
}

/** Where a sink's settings sit in the topology, for error messages. */
export function sinkConfigPath(topology: Topology, config: SinkConfig): Array<string | number> {
  const index = topology.sinks.findIndex((s) => s.name === config.name);
  return ['sinks', index < 0 ? config.name : index];
}

/** Opens the destination and runs it under the shared runtime on its input topic (enriched events or incidents). */
export async function startSink(
  topology: Topology,
  config: SinkConfig,
  codec: EventCodec<EnrichedEvent>,
  logger: Logger,
  onDelivered?: (count: number) => void,
): Promise<RunningSink> {
  const names = topicNames(topology);
  const pii = buildPiiPolicy(topology.pii, config, sinkConfigPath(topology, config));
  const writer = await openSinkWriter(config, logger);
  return startSinkRunner({
    kafka: topology.kafka,
    stage: config.name,
    inputTopic: sinkInputTopic(names, config.input),
    groupId: sinkGroupId(config),
    dlqTopic: names.dlq(config.name),
    config,
    writer,
    pii,
    codec,
    logger,
    ...(onDelivered ? { onDelivered } : {}),
  });
}
