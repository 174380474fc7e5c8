import type { Logger } from '../../observability/logger.js';
import { type RetryPolicy, withRetry } from '../../util/retry.js';
import { classifyS3Failure, sourceUnavailable } from './s3-errors.js';

/** Run an S3/SQS request, retrying what a retry can fix with exponential backoff and full jitter. */
export async function withS3Retries<T>(what: string, policy: RetryPolicy, logger: Logger, op: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(op, policy, {
      stage: 's3-source',
      what,
      logger,
      retriable: (error) => classifyS3Failure(error) === 'retry',
      errorCode: () => 'SOURCE_UNAVAILABLE',
    });
  } catch (error) {
    throw sourceUnavailable(error, what);
  }
}
