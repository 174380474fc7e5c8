import { SiemStreamError } from '../../errors.js';
import { isBatchRefused } from '../../kafka/kafka-errors.js';

/**
 * What the work consumer does after an attempt at an object failed:
 * - `retry`: back off and read again from the committed progress;
 * - `dead-letter`: the object failed on every attempt — record it as failed, go on with the next;
 * - `dead-letter-if-s3-answers`: the same, unless S3 itself is failing (then every object would
 *   fail, and the budget says nothing about this one): the caller asks S3 about the bucket first;
 * - `rethrow`: not the object's fault (fenced, Kafka unavailable, DLQ unwritable): the consumer
 *   restarts or stops, and the object is read again later.
 * Object-level answers (AccessDenied, NoSuchKey, corrupt data) never get here: the ingester
 * dead-letters them at once.
 */
export type AfterFailure = 'retry' | 'dead-letter' | 'dead-letter-if-s3-answers' | 'rethrow';

export function afterFailedAttempt(error: unknown, attempt: number, attempts: number): AfterFailure {
  const spent = attempt >= attempts;
  if (!(error instanceof SiemStreamError)) return spent ? 'dead-letter' : 'retry'; // an unexpected error in this object's data
  if (error.code === 'SOURCE_UNAVAILABLE') return spent ? 'dead-letter-if-s3-answers' : 'retry';
  // the broker refused the records themselves (a limit lowered since they were sized): read the limits again and retry
  if (isBatchRefused(error)) return spent ? 'dead-letter' : 'retry';
  if (error.code === 'KAFKA_TRANSIENT') return spent ? 'rethrow' : 'retry';
  return 'rethrow';
}
