import { Gauge } from 'prom-client';
import { metricsRegistry } from './metrics.js';

/**
 * Readiness of the stages in this process: a stage is ready once its consumer got its first
 * assignment (reportAssigned) and every hold taken on it is released — e.g. a stage restoring
 * window state from its changelog takes a hold before and releases it after. /readyz answers
 * 200 only when every expected stage is ready. Stopping (SIGTERM) makes the process unready.
 */
const expected = new Set<string>();
const assigned = new Set<string>();
const holds = new Map<string, Set<string>>();
const failures = new Map<string, string>();
let stopping = false;

export function expectStage(stage: string): void {
  expected.add(stage);
}

/** The stage's consumer joined its group and received its partitions (possibly none). */
export function reportAssigned(stage: string): void {
  assigned.add(stage);
}

/** Keeps a stage unready until the returned function is called (state restore, warm-up). */
export function holdReadiness(stage: string, reason: string): () => void {
  const set = holds.get(stage) ?? new Set<string>();
  set.add(reason);
  holds.set(stage, set);
  return () => set.delete(reason);
}

/** The stage stopped for good: unready at once, whatever else holds, until the process exits. */
export function reportFailed(stage: string, reason: string): void {
  failures.set(stage, reason);
}

export function reportStopping(): void {
  stopping = true;
}

export function stageReady(stage: string): boolean {
  return !failures.has(stage) && assigned.has(stage) && (holds.get(stage)?.size ?? 0) === 0;
}

export function processReady(): boolean {
  return !stopping && failures.size === 0 && expected.size > 0 && [...expected].every(stageReady);
}

/** Why the process is not ready, for the /readyz body. */
export function readinessReport(): string {
  const failed = [...failures].map(([stage, reason]) => `${stage}: failed (${reason})`);
  if (failed.length > 0) return failed.join('\n');
  if (stopping) return 'stopping';
  return [...expected]
    .map(
      (s) =>
        `${s}: ${stageReady(s) ? 'ready' : assigned.has(s) ? `holding (${[...(holds.get(s) ?? [])].join(', ')})` : 'waiting for assignment'}`,
    )
    .join('\n');
}

new Gauge({
  name: 'siem_stage_ready',
  help: 'Whether a stage of this process is ready (assigned, state restored): 1 or 0',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
  collect() {
    for (const stage of expected) this.set({ stage }, !stopping && stageReady(stage) ? 1 : 0);
  },
});
