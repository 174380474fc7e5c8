import { SiemStreamError } from '../../errors.js';
import { sleep } from '../../util/backoff.js';
import { countRetry, type RetryPolicy, retryDelayMs } from '../../util/retry.js';
import type { SinkWriter, WriteOutcome } from '../sink-module.js';
import { sinkRequests, sinkUploadSeconds } from './sink-metrics.js';

export interface Rejection<T> {
  item: T;
  error: SiemStreamError;
  attempts: number;
}

export interface Delivery<T> {
  delivered: T[];
  rejected: Rejection<T>[];
}

interface Attempt<T> {
  items: T[];
  attempt: number;
}

/**
 * Drives one batch to a final answer for every record: delivered, or rejected for the DLQ.
 * Retriable outcomes come back after Retry-After or exponential backoff with jitter; a batch the
 * destination finds too large is split in halves; when the retry budget runs out it throws
 * DESTINATION_UNAVAILABLE and nothing of the failing records counts as delivered.
 */
export async function deliverBatch<T extends { payload: P }, P>(
  writer: SinkWriter<P>,
  batchKey: string,
  items: T[],
  options: { retry: RetryPolicy; stage: string; signal: AbortSignal },
): Promise<Delivery<T>> {
  const result: Delivery<T> = { delivered: [], rejected: [] };
  const queue: Attempt<T>[] = [{ items, attempt: 1 }];
  while (queue.length > 0) {
    const { items: group, attempt } = queue.shift() as Attempt<T>;
    if (options.signal.aborted)
      throw new SiemStreamError('DESTINATION_UNAVAILABLE', 'sink stopping; batch not delivered', { stage: options.stage });
    const outcomes = await writeOnce(writer, batchKey, group, options);
    const retry: T[] = [];
    const tooLarge: T[] = [];
    let retryAfterMs: number | undefined;
    let lastError: SiemStreamError | undefined;
    group.forEach((item, i) => {
      const outcome = outcomes[i] as WriteOutcome;
      if (outcome.kind === 'ok') result.delivered.push(item);
      else if (outcome.kind === 'reject') result.rejected.push({ item, error: outcome.error, attempts: attempt });
      else if (outcome.kind === 'too-large') {
        tooLarge.push(item);
        lastError = outcome.error;
      } else {
        retry.push(item);
        lastError = outcome.error;
        if (outcome.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.retryAfterMs);
      }
    });
    if (tooLarge.length === 1) {
      const error = new SiemStreamError('RECORD_TOO_LARGE', `a single record is too large for one request: ${lastError?.message}`, {
        stage: options.stage,
        cause: lastError,
      });
      result.rejected.push({ item: tooLarge[0] as T, error, attempts: attempt });
    } else if (tooLarge.length > 1) {
      const half = Math.ceil(tooLarge.length / 2);
      queue.unshift({ items: tooLarge.slice(0, half), attempt }, { items: tooLarge.slice(half), attempt });
      countRetry(options.stage, lastError);
    }
    if (retry.length > 0) {
      if (attempt >= options.retry.attempts) {
        throw new SiemStreamError(
          'DESTINATION_UNAVAILABLE',
          `${batchKey}: ${retry.length} records still failing after ${attempt} attempts: ${lastError?.message}`,
          { stage: options.stage, cause: lastError },
        );
      }
      countRetry(options.stage, lastError);
      const delay = retryDelayMs(options.retry, attempt, retryAfterMs);
      await sleep(delay, options.signal);
      queue.push({ items: retry, attempt: attempt + 1 });
    }
  }
  return result;
}

async function writeOnce<T extends { payload: P }, P>(
  writer: SinkWriter<P>,
  batchKey: string,
  group: T[],
  options: { stage: string; signal: AbortSignal },
): Promise<WriteOutcome[]> {
  const timer = sinkUploadSeconds.startTimer({ stage: options.stage });
  let outcome: WriteOutcome | WriteOutcome[];
  try {
    outcome = await writer.write(
      batchKey,
      group.map((g) => g.payload),
      options.signal,
    );
  } catch (error) {
    if (error instanceof SiemStreamError && !error.retriable) throw error;
    const wrapped =
      error instanceof SiemStreamError
        ? error
        : new SiemStreamError('DESTINATION_UNAVAILABLE', `${batchKey}: ${(error as Error).message}`, {
            stage: options.stage,
            cause: error,
          });
    outcome = { kind: 'retry', error: wrapped };
  }
  timer();
  const outcomes = Array.isArray(outcome) ? outcome : group.map(() => outcome as WriteOutcome);
  if (outcomes.length !== group.length)
    throw new Error(`${batchKey}: the writer answered ${outcomes.length} outcomes for ${group.length} records`);
  const failed = outcomes.some((o) => o.kind !== 'ok');
  sinkRequests.inc({ stage: options.stage, result: failed ? (outcomes.find((o) => o.kind !== 'ok') as WriteOutcome).kind : 'ok' });
  return outcomes;
}
