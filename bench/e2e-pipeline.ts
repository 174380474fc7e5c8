import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../src/config/schema.js';
import { fetchEmulatorStats } from '../src/dev/emulator-stats.js';
import type { LocalStack } from '../src/dev/local-stack.js';
import { stageNames } from '../src/runtime/stages.js';
import { exited, spawnStage } from '../tests/support/stage-process.js';
import { cpuByThreadOf, cpuSecondsOf } from './process-cpu.js';
import { peakRssOf } from './process-memory.js';

export interface RunningPipeline {
  /** each stage's peak RSS so far, in bytes */
  peakRss(): Record<string, number>;
  /** each stage's user + system CPU seconds so far, all threads */
  cpuSeconds(): Record<string, number>;
  /** the same by kind of thread (process-cpu.ts) */
  cpuByThread(): Record<string, Record<string, number>>;
  /** records each transactional stage committed per Kafka transaction so far, from its /metrics */
  recordsPerTransaction(): Promise<Record<string, number>>;
  /** each stage's memory now, from its /metrics: resident, V8 heap (total, used) and external (Buffers), bytes */
  memory(): Promise<Record<string, { rss: number; heapTotal: number; heapUsed: number; external: number }>>;
  stop(): Promise<void>;
  /** throws if a stage exited: a bench of a dead pipeline would only wait */
  assertRunning(): void;
}

/** The environment the container image (deploy/Dockerfile) gives every stage. */
const IMAGE_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };

/**
 * The stages' environment: the image's, then BENCH_E2E_STAGE_ENV (a JSON object of strings: NODE_OPTIONS,
 * MALLOC_ARENA_MAX, …); an empty string leaves a variable out (`{"MALLOC_ARENA_MAX":""}`: glibc's default).
 */
export function stageEnv(): Record<string, string> {
  const raw = process.env.BENCH_E2E_STAGE_ENV;
  const parsed = (raw ? JSON.parse(raw) : {}) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string'))
    throw new Error('BENCH_E2E_STAGE_ENV must be a JSON object of strings, e.g. {"MALLOC_ARENA_MAX":""}');
  return Object.fromEntries(Object.entries({ ...IMAGE_ENV, ...(parsed as Record<string, string>) }).filter(([, v]) => v !== ''));
}

/**
 * Every stage of the topology as its own process from the built CLI, as an operator runs them.
 * With `profileDir`, each writes a V8 CPU profile (`--cpu-prof`) into `<profileDir>/<stage>` when it stops.
 */
export function startPipeline(topology: Topology, profileDir?: string): RunningPipeline {
  const stages = stageNames(topology).map((name) => ({
    name,
    child: spawnStage(
      topology,
      name,
      // info: the log names the metrics port (stages log per partition and object at that level)
      { SIEM_STREAM_LOG_LEVEL: 'info', ...stageEnv() },

      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [],
    ),
  }));
  return {
    peakRss: () => Object.fromEntries(stages.map((s) => [s.name, peakRssOf(s.child.pid)])),
    cpuSeconds: () => Object.fromEntries(stages.map((s) => [s.name, cpuSecondsOf(s.child.pid)])),
    cpuByThread: () => Object.fromEntries(stages.map((s) => [s.name, cpuByThreadOf(s.child.pid)])),
    memory: async () => {
      const out: Record<string, { rss: number; heapTotal: number; heapUsed: number; external: number }> = {};
      for (const s of stages) {
        const metrics = await stageMetrics(s.child.logFile);
        out[s.name] = {
          rss: gaugeOf(metrics, 'siem_process_resident_memory_bytes'),
          heapTotal: gaugeOf(metrics, 'siem_nodejs_heap_size_total_bytes'),
          heapUsed: gaugeOf(metrics, 'siem_nodejs_heap_size_used_bytes'),
          external: gaugeOf(metrics, 'siem_nodejs_external_memory_bytes'),
        };
      }
      return out;
    },
    recordsPerTransaction: async () => {
      const out: Record<string, number> = {};
      for (const s of stages) {
        const metrics = await stageMetrics(s.child.logFile);
        const commits = sumOf(metrics, 'siem_kafka_transactions_total', 'result="commit"');
        if (commits > 0) out[s.name] = sumOf(metrics, 'siem_records_in_total') / commits;
      }
      return out;
    },
    assertRunning: () => {
      const dead = stages.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
      if (dead) throw new Error(`stage ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}); see ${dead.child.logFile}`);
    },
    stop: async () => {
      for (const s of stages) s.child.kill('SIGTERM');
      await Promise.all(stages.map((s) => stopped(s.child)));
    },
  };
}

async function stopped(child: ChildProcess): Promise<void> {
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited(child);
  clearTimeout(timer);
}

/**
 * Waits until the emulator holds `target` records in total, reporting progress; fails when a stage
 * dies or nothing arrives for `stallMs`.
 */
export async function waitForAccepted(
  stack: LocalStack,
  pipeline: RunningPipeline,
  target: number,
  progress: (accepted: number) => void,
  stallMs = 180_000,
): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  let lastReport = 0;
  for (;;) {
    // a busy machine can reset one stats request: the stall timer decides when to give up, not one error
    const totalRecords = await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile).then(
      (stats) => stats.totalRecords,
      () => last,
    );
    if (totalRecords >= target) return;
    pipeline.assertRunning();
    if (totalRecords !== last) {
      last = totalRecords;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`no record reached the emulator for ${stallMs / 1000} s (${totalRecords} of ${target})`);
    }
    if (Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      progress(totalRecords);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The stage's /metrics text, at the port its log names. */
async function stageMetrics(logFile: string): Promise<string> {
  const port = /"metricsPort":(\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
  if (!port) throw new Error(`${logFile} names no metrics port`);
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return response.text();
}

/** The sum of a counter's samples (with a label filter) in Prometheus text. */
function sumOf(metrics: string, name: string, label = ''): number {
  let sum = 0;
  for (const line of metrics.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(label)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** A gauge without labels in Prometheus text. */
function gaugeOf(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}
