/**
 * npm run bench:parser — parser throughput per format with transactions on, beside the raw
 * consume→produce rate of the same records through the same transactional loop without parsing
 * (the baseline), measured in the same run against a real local stack; and, for the formats it
 * has a port of (json: firewall; cloudtrail), beside the same parse hop written with Kafka Streams
 * (bench/peers/kafka-streams-parser, exactly_once_v2) on the same raw records, compared record for
 * record. The figures go to bench/results/parser-<time>.json.
 *
 * Settings (environment): BENCH_PARSER_RECORDS (per format, default 20000),
 * BENCH_PARSER_FORMATS (comma list of default.yaml log types, default all), BENCH_PARSER_ROUNDS (best of, default 2),
 * BENCH_PARSER_STREAMS (0: no Kafka Streams peer), BENCH_PARSER_STREAMS_CONFIG (JSON object of StreamsConfig
 * settings for the peer, e.g. '{"commit.interval.ms":"1000"}'; default none: Kafka Streams' defaults),
 * SIEM_STREAM_BENCH_PORT_OFFSET (shift the bench stack's ports, default 0).
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import type { Topology } from '../src/config/schema.js';
import { topicNames } from '../src/config/topics.js';
import type { LocalStack } from '../src/dev/local-stack.js';
import { localTopology } from '../src/dev/local-topology.js';
import { KAFKA_VERSION } from '../src/dev/stack/kafka.js';
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
import { benchStackUp } from './bench-stack.js';
import { type Comparison, compareOutputs } from './parser-compare.js';
import { edgeRecords } from './parser-edge-records.js';
import { benchRecord, JSON_LOG_TYPES, seeded } from './parser-records.js';
import { PEER_FORMATS, PEER_JVM_OPTIONS, type Peer, type PeerMeasurement, peerTopicsOf, startPeerFor } from './parser-streams.js';

const RECORDS = Number(process.env.BENCH_PARSER_RECORDS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PARSER_ROUNDS ?? 2);
const STREAMS = process.env.BENCH_PARSER_STREAMS !== '0';
const STREAMS_CONFIG = JSON.parse(process.env.BENCH_PARSER_STREAMS_CONFIG ?? '{}') as Record<string, string>;
const HOME = '.stack-bench';
const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const logger = rootLogger.child({ bench: 'parser' });
logger.level = 'error';

interface Run {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  peakRssMb: number;
  /** this process's CPU (user + system, every thread) from the first commit to the last */
  cpuSeconds: number;
  cpuMicrosPerEvent: number;
}

interface StreamsRow {
  logType: string;
  format: string;
  parser: Run;
  streams: PeerMeasurement;
  /** parser ÷ Kafka Streams, events per second */
  ratio: number;
  check: Comparison;
}

async function main() {
  const startedAt = new Date();
  const loadStart = loadavg();
  const stack = await benchStackUp(HOME);
  const id = randomUUID().slice(0, 8);
  const topology = localTopology(stack, `bench-${id}`, { parser: { maxRecordsPerTransaction: 500 } });
  const kafka = createKafka(topology.kafka, 'bench');
  await ensureTopics(kafka, topologyTopics(topology));
  const names = topicNames(topology);
  const formats = (
    process.env.BENCH_PARSER_FORMATS ??
    Object.keys(topology.logTypes)
      .filter((t) => t !== 'auth')
      .join(',')
  ).split(',');
  const peerFormats = STREAMS ? formats.filter((t) => PEER_FORMATS.has(topology.logTypes[t]?.format ?? '')) : [];
  const peerTopics = peerTopicsOf(topology);
  let peer: Peer | undefined;
  let edge: Comparison | undefined;
  if (peerFormats.length > 0) {
    // every log type it has a format for: the fidelity check reads firewall and cloudtrail whatever the bench's formats
    peer = await startPeerFor(kafka, topology, HOME, progress);
    progress('fidelity check: crafted records through both');
    edge = await fidelityCheck(stack, id, peer);
  }
  console.log(
    `parser bench: load average ${loadStart[0]?.toFixed(1)} (this machine's cores are shared: compare ratios of one run, not runs), ${RECORDS} records per format, best of ${ROUNDS} rounds (rate from first to last commit), ${topology.topics.partitions} partitions, ${topology.parser.maxRecordsPerTransaction} records per transaction, node ${process.version}`,
  );
  if (edge) console.log(`fidelity check (crafted json/cloudtrail records, bad ones included): ${checkLine(edge)}`);
  console.log(
    'format      | parse ev/s | raw ev/s | ratio | parse p50/p99 ms per txn | raw p50/p99 ms | peak RSS MB (parse/raw) | parse+encode CPU µs/record (no Kafka)',
  );
  const rows: string[] = [];
  const results: Array<Record<string, unknown>> = [];
  const streamsRows: StreamsRow[] = [];
  let streamsWarm = false;
  for (const logType of formats) {
    const format = topology.logTypes[logType]?.format ?? '?';
    const withPeer = peer !== undefined && peerFormats.includes(logType);
    await produce(kafka, names.raw(logType), logType);
    // alternate baseline and parser runs and keep each one's best round, so warm-up and a noisy
    // neighbour on a shared machine do not decide the ratio
    let raw: Run | undefined;
    let parsed: Run | undefined;
    let streams: PeerMeasurement | undefined;
    let parserRuns = ROUNDS;
    let streamsRuns = ROUNDS;
    const streamsRun = (round: string) =>
      (peer as Peer).run({
        applicationId: `${topology.parser.groupId}-kstreams-${logType}-${round}`,
        inputTopics: [names.raw(logType)],
        outputTopic: peerTopics.normalized,
        dlqTopic: peerTopics.dlq,
        expected: RECORDS,
        logTypes: [logType],
        streams: STREAMS_CONFIG,
      });
    if (rows.length === 0) {
      // warm-up, discarded: JIT, connections, the registry's schema lookup
      await measure(RECORDS, (onCommitted) => passThrough(topology, logType, 'warmup', onCommitted));
      await measure(RECORDS, (onCommitted) => parserOnly(topology, logType, 'warmup', onCommitted));
      parserRuns++;
    }
    if (withPeer && !streamsWarm) {
      // the JVM's warm-up (class loading, JIT), discarded like the parser's
      progress(`kafka-streams-parser: warm-up run on ${logType}`);
      await streamsRun('warmup');
      streamsWarm = true;
      streamsRuns++;
    }
    for (let round = 0; round < ROUNDS; round++) {
      raw = best(raw, await measure(RECORDS, (onCommitted) => passThrough(topology, logType, `${round}`, onCommitted)));
      parsed = best(parsed, await measure(RECORDS, (onCommitted) => parserOnly(topology, logType, `${round}`, onCommitted)));
      if (withPeer) {
        const run = await streamsRun(`${round}`);
        if (!streams || run.eventsPerSecond > streams.eventsPerSecond) streams = run;
      }
    }
    if (!raw || !parsed) throw new Error('BENCH_PARSER_ROUNDS must be at least 1');
    const ratio = parsed.eventsPerSecond / raw.eventsPerSecond;
    const cpu = parseCpuMicros(topology, logType);
    const goal = JSON_LOG_TYPES.has(logType) ? (ratio >= 0.6 ? ' (goal ≥ 0.6 met)' : ' (goal ≥ 0.6 MISSED)') : '';
    const row = `${`${logType} (${format})`.padEnd(22)} | ${fmt(parsed.eventsPerSecond)} | ${fmt(raw.eventsPerSecond)} | ${ratio.toFixed(2)}${goal} | ${parsed.p50.toFixed(1)}/${parsed.p99.toFixed(1)} | ${raw.p50.toFixed(1)}/${raw.p99.toFixed(1)} | ${parsed.peakRssMb.toFixed(0)}/${raw.peakRssMb.toFixed(0)} | ${cpu.toFixed(1)}`;
    rows.push(row);
    console.log(row);
    const result: Record<string, unknown> = { logType, format, parser: parsed, raw, ratioToRaw: ratio, parseEncodeCpuMicrosPerRecord: cpu };
    if (withPeer && streams) {
      progress(`record-for-record check of ${logType}: reading both output topics back`);
      const check = await compareOutputs(
        kafka,
        { normalized: names.normalized, dlq: names.dlq('parser'), runs: parserRuns },
        { ...peerTopics, runs: streamsRuns },
        { logTypes: new Set([logType]), rawTopics: new Set([names.raw(logType)]) },
      );
      const streamsRow: StreamsRow = {
        logType,
        format,
        parser: parsed,
        streams,
        ratio: parsed.eventsPerSecond / streams.eventsPerSecond,
        check,
      };
      streamsRows.push(streamsRow);
      result.kafkaStreams = { ...streams, parserToStreams: streamsRow.ratio, check };
    }
    results.push(result);
  }
  if (streamsRows.length > 0) {
    console.log('');
    console.log(
      `Kafka Streams ${KAFKA_VERSION} peer (bench/peers/kafka-streams-parser; exactly_once_v2, ${streamsSettings()}; JVM ${PEER_JVM_OPTIONS.filter((o) => o.startsWith('-X')).join(' ')}), same raw records, same stack, alternating rounds:`,
    );
    console.log(
      'format                 | parser ev/s | Streams ev/s | parser ÷ Streams | CPU µs/event (parser/Streams) | CPU-s (parser/Streams) | ms between commits p50/p99 (parser/Streams) | peak RSS MB (bench process/JVM) | record for record',
    );
    for (const r of streamsRows) {
      const target = r.ratio >= 1 ? 'target ≥ 1.0 met' : 'target ≥ 1.0 MISSED';
      console.log(
        `${`${r.logType} (${r.format})`.padEnd(22)} | ${fmt(r.parser.eventsPerSecond, 11)} | ${fmt(r.streams.eventsPerSecond, 12)} | ${r.ratio.toFixed(2)} (${target}) | ${r.parser.cpuMicrosPerEvent.toFixed(1)}/${r.streams.cpuMicrosPerEvent.toFixed(1)} | ${r.parser.cpuSeconds.toFixed(2)}/${r.streams.cpuSeconds.toFixed(2)} | ${r.parser.p50.toFixed(0)}/${r.parser.p99.toFixed(0)} vs ${r.streams.p50.toFixed(0)}/${r.streams.p99.toFixed(0)} | ${r.parser.peakRssMb.toFixed(0)}/${r.streams.peakRssMb.toFixed(0)} | ${checkLine(r.check)}`,
      );
    }
    console.log(`ignored in the comparison: ${(streamsRows[0] as StreamsRow).check.ignored.join('; ')}`);
  }
  await peer?.stop();
  const loadEnd = loadavg();
  console.log(`load average at the end: ${loadEnd[0]?.toFixed(1)}`);
  const file = writeResults({
    startedAt: startedAt.toISOString(),
    settings: {
      records: RECORDS,
      rounds: ROUNDS,
      partitions: topology.topics.partitions,
      maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
      kafka: KAFKA_VERSION,
      node: process.version,
      ...(peer ? { kafkaStreams: { processingGuarantee: 'exactly_once_v2', config: STREAMS_CONFIG, jvm: PEER_JVM_OPTIONS } } : {}),
    },
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageStart: loadStart, loadAverageEnd: loadEnd },
    ...(edge ? { fidelityCheck: edge } : {}),
    formats: results,
  });
  console.log(`figures written to ${file}`);
  console.log(`stack left running under ${HOME}; stop it with: node dist/cli/main.js stack down --home ${HOME}`);
  const failed = [...(edge ? [['fidelity check', edge] as const] : []), ...streamsRows.map((r) => [r.logType, r.check] as const)].filter(
    ([, c]) => c.differences.length > 0 || c.identical !== c.total,
  );
  for (const [what, check] of failed) {
    console.error(`${what}: the parser and Kafka Streams wrote different records (${check.differences.length} differences):`);
    for (const d of check.differences.slice(0, 20)) console.error(`  ${d}`);
  }
  if (failed.length > 0) throw new Error(`record-for-record check failed for ${failed.map(([w]) => w).join(', ')}`);
}

function streamsSettings(): string {
  const set = Object.entries(STREAMS_CONFIG);
  return set.length === 0
    ? "Kafka Streams' defaults (commit.interval.ms 100 under exactly-once, 1 stream thread)"
    : set.map(([k, v]) => `${k}=${v}`).join(', ');
}

function checkLine(check: Comparison): string {
  const what = `${check.events} events, ${check.deadLetters} dead letters`;
  return check.differences.length === 0 && check.identical === check.total
    ? `${check.identical} of ${check.total} identical (${what})`
    : `${check.identical} of ${check.total} identical (${what}); ${check.differences.length} DIFFERENCES`;
}

/** bench/results/parser-<start time>.json, for the docs to quote. */
function writeResults(result: { startedAt: string } & Record<string, unknown>): string {
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join('bench', 'results', `parser-${result.startedAt.slice(0, 19).replaceAll(':', '')}Z.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/**
 * The crafted records of parser-edge-records.ts through the parser stage and the peer, in topics
 * of their own (prefix bench-<id>-edge.), every event and dead letter compared.
 */
async function fidelityCheck(stack: LocalStack, id: string, peer: Peer): Promise<Comparison> {
  const full = localTopology(stack, `bench-${id}-edge`);
  const topology: Topology = {
    ...full,
    logTypes: { firewall: full.logTypes.firewall, cloudtrail: full.logTypes.cloudtrail } as Topology['logTypes'],
  };
  const names = topicNames(topology);
  const kafka = createKafka(topology.kafka, 'bench-edge');
  const peerTopics = peerTopicsOf(topology);
  const { partitions, replicationFactor } = topology.topics;
  await ensureTopics(kafka, [
    ...topologyTopics(topology),
    { topic: peerTopics.normalized, numPartitions: partitions, replicationFactor },
    { topic: peerTopics.dlq, numPartitions: partitions, replicationFactor },
  ]);
  const records = edgeRecords();
  const producer = kafka.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  for (const logType of ['firewall', 'cloudtrail'] as const) {
    const messages = records.filter((r) => r.topicLogType === logType).map(({ key, value, headers }) => ({ key, value, headers }));
    await producer.send({ topic: names.raw(logType), messages });
  }
  await producer.disconnect();
  const codec = new EventCodec<NormalizedEvent>(createRegistry(topology.schemaRegistry), names.normalized, 'normalized');
  // this subject's id (a registry may give each subject its own), as the parser writes it
  const edgeSchemaId = await codec.register();
  await measure(records.length, (onCommitted) => startParser(topology, codec, logger, onCommitted));
  await peer.run({
    applicationId: `${topology.parser.groupId}-kstreams`,
    inputTopics: names.allRaw,
    outputTopic: peerTopics.normalized,
    dlqTopic: peerTopics.dlq,
    expected: records.length,
    logTypes: Object.keys(topology.logTypes),
    schemaId: edgeSchemaId,
    streams: {},
  });
  return compareOutputs(
    kafka,
    { normalized: names.normalized, dlq: names.dlq('parser'), runs: 1 },
    { ...peerTopics, runs: 1 },
    { logTypes: new Set(['firewall', 'cloudtrail', 'vpcflow', '']), rawTopics: new Set(names.allRaw) },
  );
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
  let firstCpu = process.cpuUsage();
  let lastCpu = firstCpu;
  let finished: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const loop = await start((n) => {
    const now = performance.now();
    if (first === 0) {
      first = now;
      firstCount = n;
      firstCpu = process.cpuUsage();
    } else latencies.push(now - last);
    last = now;
    lastCpu = process.cpuUsage();
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
  const cpuSeconds = (lastCpu.user - firstCpu.user + lastCpu.system - firstCpu.system) / 1e6;
  return {
    eventsPerSecond: (done - firstCount) / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    peakRssMb: peak / 1_048_576,
    cpuSeconds,
    cpuMicrosPerEvent: (cpuSeconds * 1e6) / (done - firstCount),
  };
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

function fmt(n: number, width = 10): string {
  return n.toFixed(0).padStart(width);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
