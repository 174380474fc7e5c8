/**
 * npm run bench:parser — parser throughput per format with transactions on, beside the raw
 * consume→produce rate of the same records through the same transactional loop without parsing
 * (the baseline), measured in the same run against a real local stack.
 *
 * Settings (environment): BENCH_PARSER_RECORDS (per format, default 20000),
 * BENCH_PARSER_FORMATS (comma list of default.yaml log types, default all), BENCH_PARSER_ROUNDS (best of, default 2),
 * SIEM_STREAM_BENCH_PORT_OFFSET (shift the bench stack's ports, default 0).
 */

import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import avro from 'avsc';
import type { Topology } from '../src/config/schema.js';
import { topicNames } from '../src/config/topics.js';
import { localStackUp } from '../src/dev/local-stack.js';
import { localTopology } from '../src/dev/local-topology.js';
import { ensureTopics, topologyTopics } from '../src/kafka/admin.js';
import type { Kafka } from '../src/kafka/client.js';
import { createKafka } from '../src/kafka/client-factory.js';
import { type RunningLoop, runTransactionalLoop } from '../src/kafka/transactional-loop.js';
import { rootLogger } from '../src/observability/logger.js';
import { loadSchema } from '../src/schemas/catalog.js';
import { EventCodec } from '../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../src/schemas/events.js';
import { RAW_HEADER } from '../src/schemas/raw-record.js';
import { createRegistry } from '../src/schemas/registry-client.js';
import { BoundedMap } from '../src/stages/parser/bounded-map.js';
import { normalizeRecord } from '../src/stages/parser/normalize.js';
import { startParser } from '../src/stages/parser/parser-stage.js';
import { benchRecord, JSON_LOG_TYPES, seeded } from './parser-records.js';

const RECORDS = Number(process.env.BENCH_PARSER_RECORDS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PARSER_ROUNDS ?? 2);
const OFFSET = Number(process.env.SIEM_STREAM_BENCH_PORT_OFFSET ?? 0);
const logger = rootLogger.child({ bench: 'parser' });
logger.level = 'error';

interface Run {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  peakRssMb: number;
}

async function main() {
  const stack = await localStackUp({
    home: '.stack-bench',
    ports: { kafka: 39092 + OFFSET, controller: 39093 + OFFSET, registry: 38081 + OFFSET, s3: 39000 + OFFSET, sqs: 39324 + OFFSET },
    emulatorPort: 38443 + OFFSET,
    registrySecurePort: 38082 + OFFSET,
    onProgress: (m) => process.stderr.write(`[stack] ${m}\n`),
  });
  const id = randomUUID().slice(0, 8);
  const topology = localTopology(stack, `bench-${id}`, { parser: { maxRecordsPerTransaction: 500 } });
  const kafka = createKafka(topology.kafka, 'bench');
  await ensureTopics(kafka, topologyTopics(topology));
  const formats = (
    process.env.BENCH_PARSER_FORMATS ??
    Object.keys(topology.logTypes)
      .filter((t) => t !== 'auth')
      .join(',')
  ).split(',');
  console.log(
    `parser bench: load average ${loadavg()[0]?.toFixed(1)} (this machine's cores are shared: compare ratios of one run, not runs), ${RECORDS} records per format, best of ${ROUNDS} rounds (rate from first to last commit), ${topology.topics.partitions} partitions, ${topology.parser.maxRecordsPerTransaction} records per transaction, node ${process.version}`,
  );
  console.log(
    'format      | parse ev/s | raw ev/s | ratio | parse p50/p99 ms per txn | raw p50/p99 ms | peak RSS MB (parse/raw) | parse+encode CPU µs/record (no Kafka)',
  );
  const rows: string[] = [];
  for (const logType of formats) {
    const format = topology.logTypes[logType]?.format ?? '?';
    await produce(kafka, topicNames(topology).raw(logType), logType);
    // alternate baseline and parser runs and keep each one's best round, so warm-up and a noisy
    // neighbour on a shared machine do not decide the ratio
    let raw: Run | undefined;
    let parsed: Run | undefined;
    if (rows.length === 0) {
      // warm-up, discarded: JIT, connections, the registry's schema lookup
      await measure(RECORDS, (onCommitted) => passThrough(topology, logType, 'warmup', onCommitted));
      await measure(RECORDS, (onCommitted) => parserOnly(topology, logType, 'warmup', onCommitted));
    }
    for (let round = 0; round < ROUNDS; round++) {
      raw = best(raw, await measure(RECORDS, (onCommitted) => passThrough(topology, logType, `${round}`, onCommitted)));
      parsed = best(parsed, await measure(RECORDS, (onCommitted) => parserOnly(topology, logType, `${round}`, onCommitted)));
    }
    if (!raw || !parsed) throw new Error('BENCH_PARSER_ROUNDS must be at least 1');
    const ratio = parsed.eventsPerSecond / raw.eventsPerSecond;
    const cpu = parseCpuMicros(topology, logType);
    const goal = JSON_LOG_TYPES.has(logType) ? (ratio >= 0.6 ? ' (goal ≥ 0.6 met)' : ' (goal ≥ 0.6 MISSED)') : '';
    const row = `${`${logType} (${format})`.padEnd(22)} | ${fmt(parsed.eventsPerSecond)} | ${fmt(raw.eventsPerSecond)} | ${ratio.toFixed(2)}${goal} | ${parsed.p50.toFixed(1)}/${parsed.p99.toFixed(1)} | ${raw.p50.toFixed(1)}/${raw.p99.toFixed(1)} | ${parsed.peakRssMb.toFixed(0)}/${raw.peakRssMb.toFixed(0)} | ${cpu.toFixed(1)}`;
    rows.push(row);
    console.log(row);
  }
  console.log(`load average at the end: ${loadavg()[0]?.toFixed(1)}`);
  console.log(`stack left running under .stack-bench; stop it with: node dist/cli/main.js stack down --home .stack-bench`);
}

async function produce(kafka: Kafka, topic: string, logType: string) {
  const producer = kafka.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  const random = seeded(7);
  for (let start = 0; start < RECORDS; start += 500) {
    const messages = Array.from({ length: Math.min(500, RECORDS - start) }, (_, j) => {
      const i = start + j;
      const key = `${logType}/object-${i % 12}.log`;
      return {
        key: `bench/${key}`,
        value: benchRecord(logType, i, random),
        headers: {
          [RAW_HEADER.logType]: logType,
          [RAW_HEADER.bucket]: 'bench',
          [RAW_HEADER.key]: key,
          [RAW_HEADER.recordNumber]: String(i),
        },
      };
    });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

/** The baseline: the same transactional loop and records, the value copied to the output unparsed. */
function passThrough(topology: Topology, logType: string, round: string, onCommitted: (n: number) => void): Promise<RunningLoop> {
  const names = topicNames(topology);
  return runTransactionalLoop({
    kafka: topology.kafka,
    stage: 'bench-raw',
    groupId: `${topology.parser.groupId}-raw-${logType}-${round}`,
    topics: [names.raw(logType)],
    dlqTopic: names.dlq('parser'),
    maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
    logger,
    onCommitted,
    transform: async (record) => ({
      kind: 'emit',
      records: [{ topic: names.enriched, key: record.key, value: record.value, headers: record.headers }],
    }),
  });
}

function parserOnly(topology: Topology, logType: string, round: string, onCommitted: (n: number) => void): Promise<RunningLoop> {
  const names = topicNames(topology);
  const only: Topology = {
    ...topology,
    logTypes: { [logType]: topology.logTypes[logType] as Topology['logTypes'][string] },
    parser: { ...topology.parser, groupId: `${topology.parser.groupId}-${logType}-${round}` },
  };
  const codec = new EventCodec<NormalizedEvent>(createRegistry(topology.schemaRegistry), names.normalized, 'normalized');
  return startParser(only, codec, logger, onCommitted);
}

/** Runs a loop until `count` records committed: throughput over the whole run, per-transaction latency, peak RSS. */
async function measure(count: number, start: (onCommitted: (n: number) => void) => Promise<RunningLoop>): Promise<Run> {
  let done = 0;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const latencies: number[] = [];
  let first = 0;
  let last = 0;
  let firstCount = 0;
  let finished: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const loop = await start((n) => {
    const now = performance.now();
    if (first === 0) {
      first = now;
      firstCount = n;
    } else latencies.push(now - last);
    last = now;
    done += n;
    if (done >= count) finished();
  });
  await all;
  // steady state: from the first commit to the last, so the group join is not counted
  const elapsed = (last - first) / 1000;
  clearInterval(sampler);
  await loop.stop();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { eventsPerSecond: (done - firstCount) / elapsed, p50: pct(0.5), p99: pct(0.99), peakRssMb: peak / 1_048_576 };
}

/** The parser's own CPU cost, without Kafka: normalize + Avro encode of the same records, in this process. */
function parseCpuMicros(topology: Topology, logType: string): number {
  const random = seeded(7);
  const type = avro.Type.forSchema(loadSchema('normalized') as avro.Schema);
  const state = { layouts: new BoundedMap<string, string[]>(100) };
  const records = Array.from({ length: Math.min(RECORDS, 20_000) }, (_, i) => ({
    topic: `raw.${logType}`,
    partition: 0,
    offset: String(i),
    timestamp: String(Date.now()),
    key: null,
    value: Buffer.from(benchRecord(logType, i, random)),
    headers: { [RAW_HEADER.logType]: logType, [RAW_HEADER.bucket]: 'bench', [RAW_HEADER.key]: 'k', [RAW_HEADER.recordNumber]: String(i) },
  }));
  let elapsed = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (const record of records) {
      const result = normalizeRecord(record, topology, state);
      if (result.kind === 'event') type.toBuffer(result.event);
    }
    elapsed = Math.min(elapsed, performance.now() - started);
  }
  return (elapsed * 1000) / records.length;
}

function best(a: Run | undefined, b: Run): Run {
  return a === undefined || b.eventsPerSecond > a.eventsPerSecond ? b : a;
}

function fmt(n: number): string {
  return n.toFixed(0).padStart(10);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
