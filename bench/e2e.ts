/**
 * npm run bench:e2e [-- --keep-stack] — the full pipeline, S3 → s3-source → parser → enricher →
 * sentinel sink → Logs Ingestion emulator, exactly-once on, every stage its own process, on a local
 * stack of its own (home .stack-bench, ports shifted by SIEM_STREAM_BENCH_PORT_OFFSET, default
 * SIEM_STREAM_TEST_PORT_OFFSET + 1500). In one run:
 *  1. max rate: BENCH_E2E_RECORDS (200,000) sample records in BENCH_E2E_OBJECTS (40) objects are
 *     uploaded, then the stages start; events/s accepted by the emulator, steady (10%→90% of the
 *     records) and including start-up; peak RSS per stage (VmHWM).
 *  2. latency at 50% of that rate: objects of BENCH_E2E_LATENCY_OBJECT_RECORDS (200) records written
 *     at a paced rate for BENCH_E2E_LATENCY_SECONDS (60); per record, emulator acceptance time −
 *     the object's PutObject completion time: p50/p95/p99/max.
 *  3. baseline: the same records through plain clients (librdkafka's KafkaJS API) of the same shape (producer,
 *     BENCH_E2E_BASELINE_HOPS (2) consume→produce hops, final consumer), and the same chain with
 *     the project's transactional loop (BENCH_E2E_TRANSACTIONAL_BASELINE=0 skips it), and a
 *     librdkafka peer chain of kcat pipelines (bench/e2e-kcat.ts; BENCH_E2E_KCAT=0 skips it); the ratios.
 *  4. Kafka Streams doing the parse hop (bench/peers/kafka-streams-parser, exactly_once_v2) over the
 *     raw records both pipeline phases wrote (bench/e2e-streams.ts; BENCH_E2E_STREAMS=0 skips it).
 * BENCH_E2E_PROFILE=1 (npm run bench:profile) runs only phase 1, each stage under `node --cpu-prof`, and
 * prints each stage's CPU per event and hottest functions.
 * The default topology's settings, but for BENCH_E2E_POLL_MS (the source's pollIntervalMs) and
 * BENCH_E2E_SINK_MAX_LATENCY_MS (the sink's batch.maxLatencyMs) when set. The stages get the container
 * image's environment (MALLOC_ARENA_MAX=2); BENCH_E2E_STAGE_ENV (a JSON object) adds to or overrides it
 * for the stage processes only, an empty value leaving a variable out. One table on stdout, the figures as JSON in
 * bench/results/e2e-<time>.json.
 */

import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Topology } from '../src/config/schema.js';
import { fetchEmulatorStats } from '../src/dev/emulator-stats.js';
import { type LocalStack, localStackDown, localStackUp, shiftedStackPorts } from '../src/dev/local-stack.js';
import { localTopology } from '../src/dev/local-topology.js';
import { generateSampleObjects, type SampleObject, uploadSampleObjects } from '../src/dev/sample-logs.js';
import { ensureTopics, topologyTopics } from '../src/kafka/admin.js';
import type { Kafka } from '../src/kafka/client.js';
import { createKafka } from '../src/kafka/client-factory.js';
import { createS3Client } from '../src/stages/s3-source/s3-client.js';
import { runBaseline } from './e2e-baseline.js';
import { baselineRecords, type Delivery } from './e2e-chain.js';
import { runKcatChain } from './e2e-kcat.js';
import { type LatencyFigures, measureLatency } from './e2e-latency.js';
import { measureMaxRate } from './e2e-max-rate.js';
import { stageEnv, startPipeline } from './e2e-pipeline.js';
import { profilePipeline } from './e2e-profile.js';
import {
  type BaselineFigures,
  type E2eResult,
  formatE2eTable,
  machine,
  mib,
  oneMinuteLoad,
  type PipelineFigures,
  versions,
  writeE2eResult,
} from './e2e-report.js';
import { runStreamsParseHop } from './e2e-streams.js';

const RECORDS = Number(process.env.BENCH_E2E_RECORDS ?? 200_000);
const OBJECTS = Number(process.env.BENCH_E2E_OBJECTS ?? 40);
const LATENCY_SECONDS = Number(process.env.BENCH_E2E_LATENCY_SECONDS ?? 60);
const LATENCY_OBJECT_RECORDS = Number(process.env.BENCH_E2E_LATENCY_OBJECT_RECORDS ?? 200);
const BASELINE_HOPS = Number(process.env.BENCH_E2E_BASELINE_HOPS ?? 2);
const TRANSACTIONAL_BASELINE = process.env.BENCH_E2E_TRANSACTIONAL_BASELINE !== '0';
const KCAT_BASELINE = process.env.BENCH_E2E_KCAT !== '0';
const STREAMS_PEER = process.env.BENCH_E2E_STREAMS !== '0';
/** unset: the default topology's own settings (what the latency target is about) */
const POLL_MS = process.env.BENCH_E2E_POLL_MS === undefined ? undefined : Number(process.env.BENCH_E2E_POLL_MS);
const SINK_MAX_LATENCY_MS =
  process.env.BENCH_E2E_SINK_MAX_LATENCY_MS === undefined ? undefined : Number(process.env.BENCH_E2E_SINK_MAX_LATENCY_MS);
const OFFSET = Number(process.env.SIEM_STREAM_BENCH_PORT_OFFSET ?? Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0) + 1_500);
const PROFILE = process.env.BENCH_E2E_PROFILE === '1';
const KEEP_STACK = process.argv.includes('--keep-stack');
const HOME = '.stack-bench';
/** the source's chunkRecords; the baseline producer sends (and commits) chunks of the same size */
const CHUNK = 2_000;

const say = (m: string) => process.stderr.write(`[bench:e2e] ${m}\n`);
const num = (n: number) => Math.round(n).toLocaleString('en-US');
const inMiB = (rss: Record<string, number>) => Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, mib(v)]));

async function main() {
  const loadAverageStart = loadavg();
  const startedAt = new Date().toISOString();
  say(`starting the local stack in ${HOME} (ports +${OFFSET})`);
  const stack = await localStackUp({
    home: HOME,
    ...shiftedStackPorts(OFFSET),
    onProgress: (m) => say(`[stack] ${m}`),
  });
  try {
    const id = randomUUID().slice(0, 8);
    const topology = benchTopology(stack, id);
    const kafka = createKafka(topology.kafka, 'bench');
    await ensureTopics(kafka, topologyTopics(topology));
    const samples = generateSampleObjects({
      objects: OBJECTS,
      recordsPerObject: Math.ceil(RECORDS / OBJECTS),
      malformedEvery: 0,
      seed: 7,
      runId: `${id}-max`,
    });
    if (PROFILE) {
      process.stdout.write(`${await profilePipeline(stack, topology, samples, `${id}-max`, startedAt, say)}\n`);
      return;
    }
    const { pipeline, latency } = await pipelinePhases(stack, kafka, topology, samples, id);
    const { baselines, kcatVersions } = await baselinePhases(kafka, topology, samples, id, pipeline.steadyEventsPerSecond);
    if (STREAMS_PEER) baselines.push(await streamsPhase(kafka, topology, pipeline, latency));
    const result: E2eResult = {
      startedAt,
      settings: {
        records: samples.reduce((n, s) => n + s.valid, 0),
        objects: OBJECTS,
        latencySeconds: LATENCY_SECONDS,
        latencyObjectRecords: LATENCY_OBJECT_RECORDS,
        baselineHops: BASELINE_HOPS,
        pollIntervalMs: topology.source.s3.pollIntervalMs,
        chunkRecords: CHUNK,
        partitions: topology.topics.partitions,
        maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
        sinkBatchMaxLatencyMs: topology.sinks[0]?.batch.maxLatencyMs,
        stageEnv: stageEnv(),
      },
      machine: { ...machine(), loadAverageStart, loadAverageEnd: loadavg() },
      versions: { ...versions(), ...kcatVersions },
      pipeline,
      latency,
      baselines,
    };
    process.stdout.write(`${formatE2eTable(result)}\n`);
    say(`figures written to ${writeE2eResult(result)}`);
  } finally {
    if (KEEP_STACK) say(`stack left running under ${HOME}; stop it with: node dist/cli/main.js stack down --home ${HOME}`);
    else await localStackDown({ home: HOME });
  }
}

/** topologies/default.yaml on the bench stack, with a bucket, topics, groups and transactional ids of this run. */
function benchTopology(stack: LocalStack, id: string): Topology {
  const topology = localTopology(stack, `bench-e2e-${id}`, {
    source: { s3: { chunkRecords: CHUNK, ...(POLL_MS === undefined ? {} : { pollIntervalMs: POLL_MS }) } },
    enricher: { model: { watch: false } },
  });
  if (SINK_MAX_LATENCY_MS === undefined) return topology;
  return { ...topology, sinks: topology.sinks.map((s) => ({ ...s, batch: { ...s.batch, maxLatencyMs: SINK_MAX_LATENCY_MS } })) };
}

/** Max rate over objects uploaded before the stages start, then latency at half of it, one set of stage processes. */
async function pipelinePhases(stack: LocalStack, kafka: Kafka, topology: Topology, samples: SampleObject[], id: string) {
  const bucket = topology.source.s3.bucket;
  const s3 = createS3Client(topology.source.s3);
  const records = samples.reduce((n, s) => n + s.valid, 0);
  say(`uploading ${samples.length} objects, ${num(records)} records`);
  await uploadSampleObjects(s3, bucket, samples);
  const acceptedBefore = (await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile)).totalRecords;
  const load = { start: oneMinuteLoad(), end: 0 };
  const startedAt = Date.now();
  say('starting s3-source, parser, enricher and sentinel sink as processes');
  const running = startPipeline(topology);
  try {
    const max = await measureMaxRate({
      stack,
      pipeline: running,
      bucket,
      runId: `${id}-max`,
      records,
      acceptedBefore,
      startedAt,
      progress: (n) => say(`[max rate] ${num(n)}/${num(records)} accepted by the emulator`),
    });
    load.end = oneMinuteLoad();
    const rssAtMax = running.peakRss();
    const cpuAtMax = running.cpuSeconds();
    const threadsAtMax = running.cpuByThread();
    const perTransaction = await running.recordsPerTransaction();
    const memoryAtMax = await running.memory();
    say(`[max rate] steady ${num(max.steady.perSecond)} events/s; ${num(records / max.wallSeconds)} events/s including start-up`);
    const latency = await measureLatency({
      stack,
      kafka,
      topology,
      pipeline: running,
      s3,
      bucket,
      runId: `${id}-lat`,
      eventsPerSecond: max.steady.perSecond / 2,
      seconds: LATENCY_SECONDS,
      recordsPerObject: LATENCY_OBJECT_RECORDS,
      progress: (m) => say(`[latency] ${m}`),
    });
    say(`[latency] p50 ${num(latency.p50)} ms, p99 ${num(latency.p99)} ms`);
    const pipeline: PipelineFigures = {
      records,
      steadyEventsPerSecond: max.steady.perSecond,
      eventsPerSecondIncludingStartup: records / max.wallSeconds,
      secondsIncludingStartup: max.wallSeconds,
      duplicatesAccepted: max.duplicatesAccepted,
      loadAverage1m: load,
      peakRssMiB: inMiB(running.peakRss()),
      peakRssMiBAfterMaxRatePhase: inMiB(rssAtMax),
      cpuSecondsMaxRatePhase: cpuAtMax,
      cpuMicrosPerEvent: Object.fromEntries(Object.entries(cpuAtMax).map(([k, v]) => [k, (v * 1e6) / records])),
      cpuMicrosPerEventByThread: Object.fromEntries(
        Object.entries(threadsAtMax).map(([stage, kinds]) => [
          stage,
          Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, (v * 1e6) / records])),
        ]),
      ),
      recordsPerTransaction: perTransaction,
      memoryMiBAtEndOfMaxRatePhase: Object.fromEntries(
        Object.entries(memoryAtMax).map(([stage, m]) => [
          stage,
          { rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external) },
        ]),
      ),
    };
    return { pipeline, latency };
  } finally {
    await running.stop();
  }
}

/** The same records on the same broker through plain clients (librdkafka's KafkaJS API), the transactional loop, and kcat (librdkafka). */
async function baselinePhases(kafka: Kafka, topology: Topology, samples: SampleObject[], id: string, pipelineRate: number) {
  const records = baselineRecords(samples, topology.source.s3.bucket);
  const baselines: BaselineFigures[] = [];
  const figures = (label: string, loadAtStart: number, b: Delivery, hopPeakRss: number[]): BaselineFigures => ({
    label,
    steadyEventsPerSecond: b.steady.perSecond,
    eventsPerSecondIncludingStartup: b.events / b.wallSeconds,
    secondsIncludingStartup: b.wallSeconds,
    hopPeakRssMiB: hopPeakRss.map(mib),
    ratioPipelineToBaseline: pipelineRate / b.steady.perSecond,
    loadAverage1m: { start: loadAtStart, end: oneMinuteLoad() },
  });
  for (const transactional of TRANSACTIONAL_BASELINE ? [false, true] : [false]) {
    const label = transactional ? 'baseline: transactional loop' : 'baseline: plain client';
    say(`[${label}] producer → ${BASELINE_HOPS} hops → consumer, ${num(records.length)} records`);
    const loadAtStart = oneMinuteLoad();
    const b = await runBaseline({
      kafka,
      topology,
      prefix: `e2e${id}.baseline-${transactional ? 'tx' : 'plain'}.`,
      records,
      hops: BASELINE_HOPS,
      transactional,
      chunk: CHUNK,
      progress: (m) => say(`[${label}] ${m}`),
    });
    baselines.push(figures(label, loadAtStart, b, b.hopPeakRss));
  }
  if (!KCAT_BASELINE) return { baselines, kcatVersions: {} };
  const label = 'baseline: kcat (librdkafka)';
  say(`[${label}] kcat -P → ${BASELINE_HOPS} × (kcat -C | kcat -P) → consumer, ${num(records.length)} records`);
  const loadAtStart = oneMinuteLoad();
  const k = await runKcatChain({
    client: kafka,
    topology,
    prefix: `e2e${id}.baseline-kcat.`,
    records,
    hops: BASELINE_HOPS,
    progress: (m) => say(`[${label}] ${m}`),
  });
  baselines.push({ ...figures(label, loadAtStart, k, k.hopPeakRss), peakRssMiB: inMiB(k.peakRss) });
  return { baselines, kcatVersions: k.versions };
}

/** Kafka Streams parsing the raw records both pipeline phases wrote (e2e-streams.ts): a one-hop peer of the parser stage. */
async function streamsPhase(
  kafka: Kafka,
  topology: Topology,
  pipeline: PipelineFigures,
  latency: LatencyFigures,
): Promise<BaselineFigures> {
  const label = 'peer: Kafka Streams parse hop';
  const expected = pipeline.records + latency.objects * latency.recordsPerObject;
  say(`[${label}] exactly_once_v2 over the pipeline's raw topics`);
  const loadAtStart = oneMinuteLoad();
  const m = await runStreamsParseHop(kafka, topology, HOME, expected, (msg) => say(`[${label}] ${msg}`));
  const seconds = m.firstCommitMs / 1000 + m.records / m.eventsPerSecond;
  return {
    label,
    hops: 1,
    steadyEventsPerSecond: m.eventsPerSecond,
    eventsPerSecondIncludingStartup: m.records / seconds,
    secondsIncludingStartup: seconds,
    hopPeakRssMiB: [Math.round(m.peakRssMb)],
    peakRssMiB: { jvm: Math.round(m.peakRssMb) },
    cpuMicrosPerEvent: m.cpuMicrosPerEvent,
    ratioPipelineToBaseline: pipeline.steadyEventsPerSecond / m.eventsPerSecond,
    loadAverage1m: { start: loadAtStart, end: oneMinuteLoad() },
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:e2e failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
