import { z } from 'zod';
import { errorCodeOf } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { retries } from '../observability/metrics.js';
import { backoffDelayMs, sleep } from './backoff.js';

/** The one shape of retry settings, in topologies and in code: attempts in all, exponential backoff with full jitter. */
export interface RetryPolicy {
  /** tries in all, the first included */
  attempts: number;
  /** the first backoff's ceiling */
  baseMs: number;
  /** no backoff is longer */
  capMs: number;
}

/** The topology schema of a RetryPolicy, with a component's own defaults. */
export function retryPolicySchema(defaults: RetryPolicy) {
  return z
    .object({
      attempts: z.number().int().positive().default(defaults.attempts).describe('tries in all, the first included'),
      baseMs: z
        .number()
        .int()
        .positive()
        .default(defaults.baseMs)
        .describe("the first backoff's ceiling; it doubles with each retry (exponential backoff with full jitter)"),
      capMs: z.number().int().positive().default(defaults.capMs).describe('no backoff is longer'),
    })
    .strict()
    .default({});
}

/** For internal requests (admin, registry) that a component does not expose in its config. */
export const QUICK_RETRY: RetryPolicy = { attempts: 8, baseMs: 100, capMs: 2_000 };

export interface RetryOptions {
  /** the stage the metric and the log lines are counted for */
  stage: string;
  /** what is being tried, for the log */
  what: string;
  /** whether a retry can help; default: the error says `retriable: true` */
  retriable?: (error: unknown) => boolean;
  /** the code the retry is counted under; default: the project error's code, else UNEXPECTED */
  errorCode?: (error: unknown) => string;
  /** the server's own answer (Retry-After), when it gave one */
  delayMs?: (error: unknown) => number | undefined;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Kafka clients, the AWS SDK and the project's own errors all say it with a `retriable` field. */
export function saysRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | undefined)?.retriable === true;
}

/**
 * Runs `operation` until it succeeds, the error is not retriable, or the policy's attempts are
 * used up; then the last error is thrown as it is. Every retry counts in `siem_retries_total`.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions): Promise<T> {
  const retriable = options.retriable ?? saysRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || options.signal?.aborted || !retriable(error)) throw error;
      const delay = retryDelayMs(policy, attempt, options.delayMs?.(error));
      retries.inc({ stage: options.stage, error_code: options.errorCode?.(error) ?? errorCodeOf(error) });
      options.logger?.warn({ attempt, delayMs: delay, err: error }, `${options.what} failed; retrying`);
      await sleep(delay, options.signal);
    }
  }
}

/** The wait before the retry that follows `attempt`: the server's word if it gave one, else jittered backoff. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, serverDelayMs?: number): number {
  return serverDelayMs ?? backoffDelayMs(attempt, policy.baseMs, policy.capMs);
}

/** For retry loops of their own shape (a sink splitting a batch): the same metric. */
export function countRetry(stage: string, error: unknown): void {
  retries.inc({ stage, error_code: errorCodeOf(error) });
}
