import type { ChildProcess } from 'node:child_process';
import type { Topology } from '../src/config/schema.js';
import { fetchEmulatorStats } from '../src/dev/emulator-stats.js';
import type { LocalStack } from '../src/dev/local-stack.js';
import { stageNames } from '../src/runtime/stages.js';
import { exited, spawnStage } from '../tests/support/stage-process.js';
import { peakRssOf } from './process-memory.js';

export interface RunningPipeline {
  /** each stage's peak RSS so far, in bytes */
  peakRss(): Record<string, number>;
  stop(): Promise<void>;
  /** throws if a stage exited: a bench of a dead pipeline would only wait */
  assertRunning(): void;
}

/** Every stage of the topology as its own process from the built CLI, as an operator runs them. */
export function startPipeline(topology: Topology): RunningPipeline {
  const stages = stageNames(topology).map((name) => ({
    name,
    child: spawnStage(topology, name, { SIEM_STREAM_LOG_LEVEL: 'warn' }),
  }));
  return {
    peakRss: () => Object.fromEntries(stages.map((s) => [s.name, peakRssOf(s.child.pid)])),
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
    const { totalRecords } = await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile);
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
