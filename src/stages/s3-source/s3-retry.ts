import type { Logger } from '../../observability/logger.js';
import { retries } from '../../observability/metrics.js';
import { backoffDelayMs, sleep } from '../../util/backoff.js';
import type { S3SourceConfig } from './config.js';
import { classifyS3Failure, sourceUnavailable } from './s3-errors.js';

/** Run an S3/SQS request, retrying what a retry can fix with exponential backoff and full jitter. */
export async function withS3Retries<T>(what: string, config: S3SourceConfig['retry'], logger: Logger, op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (classifyS3Failure(error) !== 'retry' || attempt >= config.attempts) throw sourceUnavailable(error, what);
      retries.inc({ stage: 's3-source', error_code: 'SOURCE_UNAVAILABLE' });
      const delay = backoffDelayMs(attempt, config.baseMs, config.capMs);
      logger.warn({ attempt, delayMs: delay, err: error }, `${what} failed; retrying`);
      await sleep(delay);
    }
  }
}
