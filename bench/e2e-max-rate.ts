import type { LocalStack } from '../src/dev/local-stack.js';
import { acceptedFromBucket, duplicates } from './e2e-accepted.js';
import { type RunningPipeline, waitForAccepted } from './e2e-pipeline.js';
import { type SteadyRate, steadyRate } from './stats.js';

export interface MaxRateOptions {
  stack: LocalStack;
  pipeline: RunningPipeline;
  bucket: string;
  /** the folder level in the keys of this phase's objects */
  runId: string;
  /** records in those objects */
  records: number;
  /** the emulator's record count before the phase */
  acceptedBefore: number;
  /** when the stage processes were started (epoch ms) */
  startedAt: number;
  progress: (accepted: number) => void;
}

/** Waits for every record of the uploaded objects, then rates them by the emulator's acceptance times. */
export async function measureMaxRate(
  options: MaxRateOptions,
): Promise<{ steady: SteadyRate; wallSeconds: number; duplicatesAccepted: number }> {
  const { stack, pipeline, bucket, records, acceptedBefore } = options;
  await waitForAccepted(stack, pipeline, acceptedBefore + records, (n) => options.progress(n - acceptedBefore));
  const accepted = (await acceptedFromBucket(stack.home, bucket)).filter((r) => r.key.includes(`/run-${options.runId}/`));
  const times = accepted.map((r) => r.receivedAtMs).sort((a, b) => a - b);
  return {
    steady: steadyRate(times),
    wallSeconds: ((times.at(-1) as number) - options.startedAt) / 1000,
    duplicatesAccepted: duplicates(accepted),
  };
}
