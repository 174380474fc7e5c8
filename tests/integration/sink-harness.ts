import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkConfig, Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { LOCAL_DCR_ID, localStreamDeclarations } from '../../src/dev/local-stack.js';
import {
  type EmulatorConfigInput,
  type LogsIngestionEmulator,
  startLogsIngestionEmulator,
} from '../../src/dev/logs-ingestion-emulator/index.js';
import { ensureTopics } from '../../src/kafka/admin.js';
import type { Kafka } from '../../src/kafka/client.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { createRdKafka } from '../../src/kafka/rdkafka.js';
import { rootLogger } from '../../src/observability/logger.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { EnrichedEvent } from '../../src/schemas/events.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import { sinkSchema } from '../../src/sinks/config.js';
import { buildPiiPolicy } from '../../src/sinks/pii/policy.js';
import { openSinkWriter, sinkConfigPath, sinkGroupId } from '../../src/sinks/registry.js';
import { type RunningSink, startSinkRunner } from '../../src/sinks/runtime/sink-runner.js';
import type { SinkWriter } from '../../src/sinks/sink-module.js';
import { testTopology } from '../support/test-topology.js';

export { enrichedEvent } from './sink-events.js';

/** A topology of its own for one sink test: enriched and DLQ topics created, sinks replaced, `overrides` merged over the rest. */
export async function sinkTestbed(
  sinks: (id: string) => Array<Record<string, unknown>>,
  partitions = 3,
  overrides: Record<string, unknown> = {},
) {
  const id = randomUUID().slice(0, 8);
  // sinks replace the file's list (the loader merges lists element-wise), each validated by its own schema
  const topology: Topology = {
    ...testTopology({ ...overrides, topics: { partitions } }),
    sinks: sinks(id).map((s) => sinkSchema.parse(s)),
  };
  const names = topicNames(topology);
  // the test support's client, for topics and reading them back (tests/support, src/kafka/read-topic.ts)
  const kafka = createKafka(topology.kafka, 'sink-test');
  // the sinks' own client, for writing input and looking at the group
  const rd = createRdKafka(topology.kafka, 'sink-test').kafka;
  await ensureTopics(
    kafka,
    [names.enriched, ...topology.sinks.map((s) => names.dlq(s.name))].map((topic) => ({
      topic,
      numPartitions: partitions,
      replicationFactor: 1,
    })),
  );
  const codec = new EventCodec<EnrichedEvent>(createRegistry(topology.schemaRegistry), names.enriched, 'enriched');
  return { id, topology, names, kafka, rd, codec };
}

/** Writes events to the enriched topic, keyed by entity like the enricher; returns their EventIds in order. */
export async function produceEvents(kafka: Kafka, codec: EventCodec<EnrichedEvent>, events: EnrichedEvent[]): Promise<string[]> {
  const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false } });
  await producer.connect();
  await codec.register(); // once, before encoding in parallel
  try {
    for (let i = 0; i < events.length; i += 500) {
      const slice = events.slice(i, i + 500);
      const messages = await Promise.all(slice.map(async (e) => ({ key: e.EntityKey, value: await codec.encode(e) })));
      await producer.send({ topic: codec.topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return events.map((e) => e.EventId);
}

/** Runs one sink of the topology in this process under the shared runtime; `wrap` may decorate its writer. */
export async function runSinkInProcess(
  bed: { topology: Topology; names: ReturnType<typeof topicNames>; kafka: Kafka; codec: EventCodec<EnrichedEvent> },
  config: SinkConfig,
  wrap: (writer: SinkWriter) => SinkWriter = (w) => w,
): Promise<RunningSink> {
  const logger = rootLogger.child({ stage: config.name, test: true });
  const writer = wrap(await openSinkWriter(config, logger));
  return startSinkRunner({
    kafka: bed.topology.kafka,
    stage: config.name,
    inputTopic: bed.names.enriched,
    groupId: sinkGroupId(config),
    dlqTopic: bed.names.dlq(config.name),
    config,
    writer,
    pii: buildPiiPolicy(bed.topology.pii, config, sinkConfigPath(bed.topology, config)),
    codec: bed.codec,
    logger,
  });
}

/** Committed offsets of a group on a topic, by partition ("-1" = none). */
export async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** A Logs Ingestion emulator of the test's own with the local DCR (columns from schemas/), certificate on disk; `auth` as in its config. */
export async function startTestEmulator(
  dir: string,
  limits: { maxRequestBytes?: number; maxDecompressedBytes?: number } = {},
  port = 0,
  auth: Pick<EmulatorConfigInput, 'token' | 'entraId'> = {},
) {
  mkdirSync(dir, { recursive: true });
  const streams = localStreamDeclarations();
  return startLogsIngestionEmulator({
    port,
    certDir: dir,
    recordsFile: join(dir, 'records.jsonl'),
    dcrs: { [LOCAL_DCR_ID]: { streams } },
    limits: { maxDecompressedBytes: 1_048_576, ...limits },
    ...auth,
  });
}

/** Sentinel sink settings pointing at an emulator. */
export function sentinelConfig(emulator: LogsIngestionEmulator, id: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'sentinel',
    type: 'sentinel',
    groupId: `test-${id}-sentinel`,
    endpoint: emulator.url,
    dcrImmutableId: LOCAL_DCR_ID,
    credential: { type: 'static-token', token: 'local-emulator-token' },
    caFile: emulator.caCertPath,
    streams: { NetworkSession: 'Custom-SiemNetworkSession', Authentication: 'Custom-SiemAuthentication', '*': 'Custom-SiemEvent' },
    retry: { attempts: 20, baseMs: 100, capMs: 2_000 },
    batch: { maxLatencyMs: 300 },
    ...extra,
  };
}

export function countBy<T>(items: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
