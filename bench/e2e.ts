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
 *  3. baseline: the same records through plain kafkajs clients of the same shape (producer,
 *     BENCH_E2E_BASELINE_HOPS (2) consume→produce hops, final consumer), and the same chain with
 *     the project's transactional loop (BENCH_E2E_TRANSACTIONAL_BASELINE=0 skips it); the ratios.
 * The source polls every BENCH_E2E_POLL_MS (500). One table on stdout, the figures as JSON in
 * bench/results/e2e-<time>.json.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { deepMerge, loadTopology } from '../src/config/load.js';
import { fetchEmulatorStats } from '../src/dev/emulator-stats.js';
import { type LocalStack, localSentinelOverrides, localStackDown, localStackUp } from '../src/dev/local-stack.js';
import { generateSampleObjects, type SampleObject, uploadSampleObjects } from '../src/dev/sample-logs.js';
import { KAFKA_VERSION } from '../src/dev/stack/kafka.js';
import { apicurioRelease } from '../src/dev/stack/registry.js';
import { ensureTopics, topologyTopics } from '../src/kafka/admin.js';
import { createKafka } from '../src/kafka/client-factory.js';
import { RAW_HEADER } from '../src/schemas/raw-record.js';
import { createS3Client } from '../src/stages/s3-source/s3-client.js';
import { acceptedFromBucket, duplicates } from './e2e-accepted.js';
import { type BaselineRecord, type BaselineResult, runBaseline } from './e2e-baseline.js';
import { measureLatency } from './e2e-latency.js';
import { startPipeline, waitForAccepted } from './e2e-pipeline.js';
import { steadyRate } from './stats.js';

const RECORDS = Number(process.env.BENCH_E2E_RECORDS ?? 200_000);
const OBJECTS = Number(process.env.BENCH_E2E_OBJECTS ?? 40);
const LATENCY_SECONDS = Number(process.env.BENCH_E2E_LATENCY_SECONDS ?? 60);
const LATENCY_OBJECT_RECORDS = Number(process.env.BENCH_E2E_LATENCY_OBJECT_RECORDS ?? 200);
const BASELINE_HOPS = Number(process.env.BENCH_E2E_BASELINE_HOPS ?? 2);
const TRANSACTIONAL_BASELINE = process.env.BENCH_E2E_TRANSACTIONAL_BASELINE !== '0';
const POLL_MS = Number(process.env.BENCH_E2E_POLL_MS ?? 500);
const OFFSET = Number(process.env.SIEM_STREAM_BENCH_PORT_OFFSET ?? Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0) + 1_500);
const KEEP_STACK = process.argv.includes('--keep-stack');
const HOME = '.stack-bench';
/** the source's chunkRecords; the baseline producer sends (and commits) chunks of the same size */
const CHUNK = 2_000;

const say = (m: string) => process.stderr.write(`[bench:e2e] ${m}\n`);
const mib = (bytes: number) => Math.round(bytes / 1_048_576);
const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  const loadAtStart = loadavg();
  const started = new Date();
  say(`starting the local stack in ${HOME} (ports +${OFFSET})`);
  const stack = await localStackUp({
    home: HOME,
    ports: {
      kafka: 29092 + OFFSET,
      controller: 29093 + OFFSET,
      kafkaSecure: 29098 + OFFSET,
      registry: 28081 + OFFSET,
      s3: 29000 + OFFSET,
      sqs: 29324 + OFFSET,
    },
    emulatorPort: 28443 + OFFSET,
    onProgress: (m) => say(`[stack] ${m}`),
  });
  try {
    const id = randomUUID().slice(0, 8);
    const topology = loadTopology('topologies/default.yaml', {
      env: {},
      overrides: deepMerge(
        {
          name: `bench-e2e-${id}`,
          kafka: { brokers: stack.kafkaBrokers, clientId: `bench-${id}` },
          schemaRegistry: { url: stack.registryUrl },
          topics: { prefix: `e2e${id}.` },
          source: {
            s3: {
              endpoint: stack.s3.endpoint,
              credentials: { accessKeyId: stack.s3.accessKeyId, secretAccessKey: stack.s3.secretAccessKey },
              bucket: `bench-${id}`,
              transactionalId: `bench-${id}-source`,
              pollIntervalMs: POLL_MS,
              chunkRecords: CHUNK,
            },
          },
          parser: { groupId: `bench-${id}-parser` },
          enricher: { groupId: `bench-${id}-enricher`, model: { watch: false } },
          sinks: [{ ...localSentinelOverrides(stack), groupId: `bench-${id}-sentinel` }],
        },
        {},
      ) as Record<string, unknown>,
    });
    const kafka = createKafka(topology.kafka, 'bench');
    await ensureTopics(kafka, topologyTopics(topology));
    const bucket = topology.source.s3.bucket;
    const s3 = createS3Client(topology.source.s3);

    // 1. max rate
    const samples = generateSampleObjects({
      objects: OBJECTS,
      recordsPerObject: Math.ceil(RECORDS / OBJECTS),
      malformedEvery: 0,
      seed: 7,
      runId: `${id}-max`,
    });
    const total = samples.reduce((n, s) => n + s.valid, 0);
    say(`uploading ${OBJECTS} objects, ${num(total)} records`);
    await uploadSampleObjects(s3, bucket, samples);
    const acceptedBefore = await emulatorTotal(stack);
    const spawnedAt = Date.now();
    const loadAtMaxStart = loadavg()[0] as number;
    let maxRateLoad: { start: number; end: number };
    say('starting s3-source, parser, enricher and sentinel sink as processes');
    const pipeline = startPipeline(topology);
    let rss: Record<string, number>;
    let rssAtMax: Record<string, number>;
    let latency: Awaited<ReturnType<typeof measureLatency>>;
    let maxRate: ReturnType<typeof steadyRate>;
    let maxWallSeconds: number;
    let maxDuplicates: number;
    try {
      await waitForAccepted(stack, pipeline, acceptedBefore + total, (n) =>
        say(`[max rate] ${num(n - acceptedBefore)}/${num(total)} accepted by the emulator`),
      );
      rssAtMax = pipeline.peakRss();
      const accepted = (await acceptedFromBucket(stack.home, bucket)).filter((r) => r.key.includes(`run-${id}-max/`));
      const times = accepted.map((r) => r.receivedAtMs).sort((a, b) => a - b);
      maxRate = steadyRate(times);
      maxWallSeconds = ((times.at(-1) as number) - spawnedAt) / 1000;
      maxDuplicates = duplicates(accepted);
      say(`[max rate] steady ${num(maxRate.perSecond)} events/s; ${num(total / maxWallSeconds)} events/s including start-up`);

      // 2. latency at half the max rate
      maxRateLoad = { start: loadAtMaxStart, end: loadavg()[0] as number };
      latency = await measureLatency({
        stack,
        pipeline,
        s3,
        bucket,
        runId: `${id}-lat`,
        eventsPerSecond: maxRate.perSecond / 2,
        seconds: LATENCY_SECONDS,
        recordsPerObject: LATENCY_OBJECT_RECORDS,
        progress: (m) => say(`[latency] ${m}`),
      });
      rss = pipeline.peakRss();
      say(
        `[latency] p50 ${num(latency.p50)} ms, p99 ${num(latency.p99)} ms; peak RSS at max rate ${JSON.stringify(Object.fromEntries(Object.entries(rssAtMax).map(([k, v]) => [k, mib(v)])))} MiB`,
      );
    } finally {
      await pipeline.stop();
    }

    // 3. baselines, the same records on the same broker
    const records = baselineRecords(samples, bucket);
    const baselines: Array<{ label: string; result: BaselineResult; load: { start: number; end: number } }> = [];
    for (const transactional of TRANSACTIONAL_BASELINE ? [false, true] : [false]) {
      const label = transactional ? 'baseline: transactional loop' : 'baseline: plain kafkajs';
      say(`[${label}] producer → ${BASELINE_HOPS} hops → consumer, ${num(records.length)} records`);
      const loadAtBaselineStart = loadavg()[0] as number;
      const result = await runBaseline({
        kafka,
        topology,
        prefix: `e2e${id}.baseline-${transactional ? 'tx' : 'plain'}.`,
        records,
        hops: BASELINE_HOPS,
        transactional,
        chunk: CHUNK,
        progress: (m) => say(`[${label}] ${m}`),
      });
      baselines.push({ label, result, load: { start: loadAtBaselineStart, end: loadavg()[0] as number } });
    }

    const loadAtEnd = loadavg();
    const result = {
      startedAt: started.toISOString(),
      settings: {
        records: total,
        objects: OBJECTS,
        latencySeconds: LATENCY_SECONDS,
        latencyObjectRecords: LATENCY_OBJECT_RECORDS,
        baselineHops: BASELINE_HOPS,
        pollIntervalMs: POLL_MS,
        chunkRecords: CHUNK,
        partitions: topology.topics.partitions,
        maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
        sinkBatchMaxLatencyMs: topology.sinks[0]?.batch.maxLatencyMs,
      },
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        kernel: release(),
        loadAverageStart: loadAtStart,
        loadAverageEnd: loadAtEnd,
      },
      versions: {
        node: process.version,
        kafka: KAFKA_VERSION,
        kafkajs: packageVersion('kafkajs'),
        apicurio: apicurioRelease().version,
        onnxruntime: packageVersion('onnxruntime-node'),
      },
      pipeline: {
        steadyEventsPerSecond: maxRate.perSecond,
        eventsPerSecondIncludingStartup: total / maxWallSeconds,
        secondsIncludingStartup: maxWallSeconds,
        duplicatesAccepted: maxDuplicates,
        loadAverage1m: maxRateLoad,
        peakRssMiB: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, mib(v)])),
        peakRssMiBAfterMaxRatePhase: Object.fromEntries(Object.entries(rssAtMax).map(([k, v]) => [k, mib(v)])),
      },
      latency,
      baselines: baselines.map(({ label, result: b, load }) => ({
        label,
        steadyEventsPerSecond: b.steady.perSecond,
        eventsPerSecondIncludingStartup: b.events / b.wallSeconds,
        hopPeakRssMiB: b.hopPeakRss.map(mib),
        ratioPipelineToBaseline: maxRate.perSecond / b.steady.perSecond,
        loadAverage1m: load,
      })),
    };
    printTable(result);
    mkdirSync('bench/results', { recursive: true });
    const file = `bench/results/e2e-${started.toISOString().slice(0, 19).replaceAll(':', '')}Z.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    say(`figures written to ${file}`);
  } finally {
    if (KEEP_STACK) say(`stack left running under ${HOME}; stop it with: node dist/cli/main.js stack down --home ${HOME}`);
    else await localStackDown({ home: HOME });
  }
}

/** What the source writes to raw.<logtype> for each line: the same key, value and headers. */
function baselineRecords(samples: SampleObject[], bucket: string): BaselineRecord[] {
  return samples.flatMap((sample) => {
    const text = (sample.key.endsWith('.gz') ? gunzipSync(sample.body) : sample.body).toString();
    const etag = createHash('md5').update(sample.body).digest('hex');
    return text
      .split(/\r?\n/)
      .filter(Boolean)
      .map((value, i) => ({
        key: `${bucket}/${sample.key}`,
        value,
        headers: {
          [RAW_HEADER.logType]: sample.logType,
          [RAW_HEADER.bucket]: bucket,
          [RAW_HEADER.key]: sample.key,
          [RAW_HEADER.etag]: etag,
          [RAW_HEADER.recordNumber]: String(i),
        },
      }));
  });
}

async function emulatorTotal(stack: LocalStack): Promise<number> {
  return (await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile)).totalRecords;
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
}

const loadRange = (l: { start: number; end: number }) => `${l.start.toFixed(1)} → ${l.end.toFixed(1)}`;

function printTable(r: {
  settings: { records: number; objects: number; baselineHops: number };
  machine: { cpus: number; memoryGiB: number; loadAverageStart: number[]; loadAverageEnd: number[] };
  versions: Record<string, string>;
  pipeline: {
    steadyEventsPerSecond: number;
    eventsPerSecondIncludingStartup: number;
    duplicatesAccepted: number;
    peakRssMiB: Record<string, number>;
    loadAverage1m: { start: number; end: number };
  };
  latency: Awaited<ReturnType<typeof measureLatency>>;
  baselines: Array<{
    label: string;
    steadyEventsPerSecond: number;
    eventsPerSecondIncludingStartup: number;
    hopPeakRssMiB: number[];
    ratioPipelineToBaseline: number;
    loadAverage1m: { start: number; end: number };
  }>;
}) {
  const rows = [
    ['', 'events/s steady', 'events/s incl. start', 'pipeline / this', 'peak RSS MiB per process'],
    [
      'pipeline, exactly-once (S3 → emulator)',
      num(r.pipeline.steadyEventsPerSecond),
      num(r.pipeline.eventsPerSecondIncludingStartup),
      '1.00',
      Object.entries(r.pipeline.peakRssMiB)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ...r.baselines.map((b) => [
      `${b.label} (${r.settings.baselineHops} hops)`,
      num(b.steadyEventsPerSecond),
      num(b.eventsPerSecondIncludingStartup),
      num(b.ratioPipelineToBaseline, 2),
      b.hopPeakRssMiB.map((v, i) => `hop ${i + 1} ${v}`).join(', '),
    ]),
  ];
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const lines = [
    `\nfull pipeline: ${num(r.settings.records)} records in ${r.settings.objects} objects; ${r.machine.cpus} CPUs, ${r.machine.memoryGiB} GiB, load average ${r.machine.loadAverageStart[0]?.toFixed(2)} at start, ${r.machine.loadAverageEnd[0]?.toFixed(2)} at end (shared machine)`,
    ...rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')),
    `latency at 50% of max: target ${num(r.latency.targetEventsPerSecond)} events/s, offered ${num(r.latency.offeredEventsPerSecond)}, accepted ${num(r.latency.acceptedEventsPerSecond)} (${r.latency.objects} objects × ${r.latency.recordsPerObject} records; load average ${r.latency.loadAverage1m.start.toFixed(1)} → ${r.latency.loadAverage1m.end.toFixed(1)})`,
    `  PutObject done → accepted, ${num(r.latency.records)} records: p50 ${num(r.latency.p50)} ms  p95 ${num(r.latency.p95)} ms  p99 ${num(r.latency.p99)} ms  max ${num(r.latency.max)} ms`,
    `  p50 of the first tenth of the objects ${num(r.latency.p50FirstTenthOfObjects)} ms, of the last tenth ${num(r.latency.p50LastTenthOfObjects)} ms; backlog after the last write ${num(r.latency.backlogSecondsAfterLastWrite, 1)} s`,
    `1-minute load average per run: pipeline ${loadRange(r.pipeline.loadAverage1m)}, ${r.baselines.map((b) => `${b.label} ${loadRange(b.loadAverage1m)}`).join(', ')}`,
    `records accepted twice: ${r.pipeline.duplicatesAccepted}; versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:e2e failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
