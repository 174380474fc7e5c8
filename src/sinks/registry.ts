import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import type { Logger } from '../observability/logger.js';
import type { EventCodec } from '../schemas/event-codec.js';
import type { EnrichedEvent } from '../schemas/events.js';
import { cloudwatchLogsSink } from './cloudwatch-logs/index.js';
import type { SinkConfig } from './config.js';
import { buildPiiPolicy } from './pii/policy.js';
import { type RunningSink, startSinkRunner } from './runtime/sink-runner.js';
import { sentinelSink } from './sentinel/index.js';
import type { SinkModule, SinkWriter } from './sink-module.js';
import { splunkHecSink } from './splunk-hec/index.js';
import { syslogSink } from './syslog/index.js';

/** Every destination by its config `type`; adding one is a module plus a line here and in config.ts. */
const SINKS: { [T in SinkConfig['type']]: SinkModule<Extract<SinkConfig, { type: T }>> } = {
  sentinel: sentinelSink,
  'splunk-hec': splunkHecSink,
  syslog: syslogSink,
  'cloudwatch-logs': cloudwatchLogsSink,
};

export function sinkGroupId(config: SinkConfig): string {
  return config.groupId ?? `siem-sink-${config.name}`;
}

export async function openSinkWriter(config: SinkConfig, logger: Logger): Promise<SinkWriter> {
  const module = SINKS[config.type] as SinkModule<SinkConfig>;
  return module.open(config, { stage: config.name, logger });
}

/** Where a sink's settings sit in the topology, for error messages. */
export function sinkConfigPath(topology: Topology, config: SinkConfig): Array<string | number> {
  const index = topology.sinks.findIndex((s) => s.name === config.name);
  return ['sinks', index < 0 ? config.name : index];
}

/** Opens the destination and runs it under the shared runtime on the topology's enriched topic. */
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
    inputTopic: names.enriched,
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
