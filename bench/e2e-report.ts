import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { KAFKA_VERSION } from '../src/dev/stack/kafka.js';
import { apicurioRelease } from '../src/dev/stack/registry.js';
import type { LatencyFigures } from './e2e-latency.js';

/** 1-minute load average when a phase started and ended: the machine is shared, so it is part of every figure. */
export interface LoadRange {
  start: number;
  end: number;
}

export interface PipelineFigures {
  /** records of the max-rate phase */
  records: number;
  steadyEventsPerSecond: number;
  eventsPerSecondIncludingStartup: number;
  secondsIncludingStartup: number;
  duplicatesAccepted: number;
  loadAverage1m: LoadRange;
  /** over the whole run (both phases) */
  peakRssMiB: Record<string, number>;
  peakRssMiBAfterMaxRatePhase: Record<string, number>;
  /** user + system CPU of each stage process from its start to the end of the max-rate phase (start-up included) */
  cpuSecondsMaxRatePhase: Record<string, number>;
  /** that CPU time over the phase's records */
  cpuMicrosPerEvent: Record<string, number>;
  /** the same by kind of thread: main (JavaScript), librdkafka, V8 + libuv (GC, compiler, zlib), ended */
  cpuMicrosPerEventByThread: Record<string, Record<string, number>>;
  /** records per Kafka transaction of the transactional stages over the phase */
  recordsPerTransaction: Record<string, number>;
  /** where a stage's memory was when the phase ended (MiB): resident, V8 heap total and used, external (Buffers) */
  memoryMiBAtEndOfMaxRatePhase: Record<string, { rss: number; heapTotal: number; heapUsed: number; external: number }>;
}

export interface BaselineFigures {
  label: string;
  /** consume→produce hops when not the run's baselineHops (the Kafka Streams parse hop: 1) */
  hops?: number;
  /** the peer's own CPU per event, where the bench measures it */
  cpuMicrosPerEvent?: number;
  steadyEventsPerSecond: number;
  eventsPerSecondIncludingStartup: number;
  /** first record sent to the last one read by the final consumer */
  secondsIncludingStartup: number;
  /** per hop; a kcat hop is two processes (consume | produce), summed here */
  hopPeakRssMiB: number[];
  /** every process of the chain by name, where a hop is more than one (kcat) */
  peakRssMiB?: Record<string, number>;
  ratioPipelineToBaseline: number;
  loadAverage1m: LoadRange;
}

export interface E2eResult {
  startedAt: string;
  settings: { records: number; objects: number; baselineHops: number; stageEnv?: Record<string, string> } & Record<
    string,
    number | undefined | Record<string, string>
  >;
  machine: ReturnType<typeof machine> & { loadAverageStart: number[]; loadAverageEnd: number[] };
  versions: Record<string, string>;
  pipeline: PipelineFigures;
  latency: LatencyFigures;
  baselines: BaselineFigures[];
}

export const oneMinuteLoad = () => loadavg()[0] as number;
export const mib = (bytes: number) => Math.round(bytes / 1_048_576);
const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const namedRss = (rss: Record<string, number>) =>
  Object.entries(rss)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
const loadRange = (l: LoadRange) => `${l.start.toFixed(1)} → ${l.end.toFixed(1)}`;

export function machine() {
  return { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release() };
}

export function versions(): Record<string, string> {
  const packageVersion = (name: string) =>
    (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  return {
    node: process.version,
    kafka: KAFKA_VERSION,
    'kafka-javascript': packageVersion('@confluentinc/kafka-javascript'),
    apicurio: apicurioRelease().version,
    onnxruntime: packageVersion('onnxruntime-node'),
  };
}

/** bench/results/e2e-<start time>.json, for the docs to quote. */
export function writeE2eResult(result: E2eResult): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/e2e-${result.startedAt.slice(0, 19).replaceAll(':', '')}Z.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function formatE2eTable(r: E2eResult): string {
  const rows = [
    ['', 'events/s steady', 'events/s incl. start', 'wall s', 'pipeline / this', 'peak RSS MiB per process'],
    [
      'pipeline, exactly-once (S3 → emulator)',
      num(r.pipeline.steadyEventsPerSecond),
      num(r.pipeline.eventsPerSecondIncludingStartup),
      num(r.pipeline.secondsIncludingStartup, 1),
      '1.00',
      namedRss(r.pipeline.peakRssMiB),
    ],
    ...r.baselines.map((b) => [
      `${b.label} (${b.hops ?? r.settings.baselineHops} hop${(b.hops ?? r.settings.baselineHops) === 1 ? '' : 's'}${b.cpuMicrosPerEvent ? `, ${num(b.cpuMicrosPerEvent, 1)} CPU µs/event` : ''})`,
      num(b.steadyEventsPerSecond),
      num(b.eventsPerSecondIncludingStartup),
      num(b.secondsIncludingStartup, 1),
      num(b.ratioPipelineToBaseline, 2),
      b.peakRssMiB ? namedRss(b.peakRssMiB) : b.hopPeakRssMiB.map((v, i) => `hop ${i + 1} ${v}`).join(', '),
    ]),
  ];
  const widths = (rows[0] as string[]).map((_, c) => rows.reduce((w, row) => Math.max(w, (row[c] ?? '').length), 0));
  const l = r.latency;
  return [
    `\nfull pipeline: ${num(r.settings.records)} records in ${r.settings.objects} objects; ${r.machine.cpus} CPUs, ${r.machine.memoryGiB} GiB, load average ${r.machine.loadAverageStart[0]?.toFixed(2)} at start, ${r.machine.loadAverageEnd[0]?.toFixed(2)} at end (shared machine)`,
    ...rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')),
    ...cpuLines(r.pipeline),
    `latency at 50% of max: target ${num(l.targetEventsPerSecond)} events/s, offered ${num(l.offeredEventsPerSecond)}, delivered ${num(l.deliveredEventsPerSecond)} (${l.objects} objects × ${l.recordsPerObject} records; load average ${loadRange(l.loadAverage1m)})`,
    `  PutObject done → accepted, ${num(l.records)} records: p50 ${num(l.p50)} ms  p95 ${num(l.p95)} ms  p99 ${num(l.p99)} ms  max ${num(l.max)} ms`,
    `  p50 of the first tenth of the objects ${num(l.p50FirstTenthOfObjects)} ms, of the last tenth ${num(l.p50LastTenthOfObjects)} ms; backlog after the last write ${num(l.backlogSecondsAfterLastWrite, 1)} s`,
    `  where it went, p50 / p99 ms: ${l.hops.map((h) => `${h.hop} ${num(h.p50)} / ${num(h.p99)}`).join('; ')}`,
    l.keptUp
      ? '  the pipeline kept up with the offered rate'
      : '  THE PIPELINE FELL BEHIND the offered rate (delivered < 90% of it, or the last objects waited over twice as long as the first): these latencies are mostly queueing; rerun on a quieter machine',
    `1-minute load average per run: pipeline ${loadRange(r.pipeline.loadAverage1m)}, ${r.baselines.map((b) => `${b.label} ${loadRange(b.loadAverage1m)}`).join(', ')}`,
    `records accepted twice: ${r.pipeline.duplicatesAccepted + l.duplicatesAccepted}; versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ].join('\n');
}

/** What an operator sizes by: CPU per event and per million events per stage, and the rate one core carries. */
function cpuLines(p: PipelineFigures): string[] {
  return [
    'CPU per stage over the max-rate phase (user + system, all threads, start-up included):',
    ...Object.entries(p.cpuMicrosPerEvent).map(
      ([stage, micros]) =>
        `  ${stage.padEnd(16)} ${num(micros, 1).padStart(7)} µs/event  ${num(micros, 1).padStart(7)} CPU-s per million events  ${num(1e6 / micros).padStart(7)} events/s per core  peak RSS ${p.peakRssMiBAfterMaxRatePhase[stage] ?? '?'} MiB  (${Object.entries(
          p.cpuMicrosPerEventByThread[stage] ?? {},
        )
          .map(([k, v]) => `${k} ${num(v, 1)}`)
          .join(', ')})${p.recordsPerTransaction[stage] ? `  ${num(p.recordsPerTransaction[stage], 0)} records per transaction` : ''}`,
    ),
    `  all stages       ${num(
      Object.values(p.cpuMicrosPerEvent).reduce((a, b) => a + b, 0),
      1,
    ).padStart(7)} µs/event`,
    `memory when the phase ended, MiB (resident / V8 heap total / heap used / external): ${Object.entries(p.memoryMiBAtEndOfMaxRatePhase)
      .map(([stage, m]) => `${stage} ${m.rss} / ${m.heapTotal} / ${m.heapUsed} / ${m.external}`)
      .join('; ')}`,
  ];
}
