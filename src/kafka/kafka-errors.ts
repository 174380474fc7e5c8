import { SiemStreamError } from '../errors.js';
import { KafkaJSError } from './client.js';
import { isRecordsRefused } from './rdkafka.js';

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/** Map a kafkajs failure onto the project's error model. */
export function classifyKafkaError(error: unknown, stage: string): SiemStreamError {
  if (error instanceof SiemStreamError) return error;
  const type = (error as { type?: string } | undefined)?.type;
  if (type && FENCED_TYPES.has(type)) {
    return new SiemStreamError('KAFKA_FENCED', `producer fenced (${type})`, { stage, cause: error });
  }
  const retriable = error instanceof KafkaJSError ? error.retriable : true;
  return new SiemStreamError(
    retriable ? 'KAFKA_TRANSIENT' : 'KAFKA_FATAL',
    `kafka request failed: ${(error as Error)?.message ?? String(error)}`,
    { stage, cause: error },
  );
}

/** Broker answers that refuse the records themselves (their size or shape), not the client or the cluster. */
const BATCH_REFUSED_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE']);

/** Whether a failed write was refused because of the records it carried (reads the error chain's broker error type). */
export function isBatchRefused(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const { type, cause, originalError } = e as { type?: string; cause?: unknown; originalError?: unknown };
    if ((type && BATCH_REFUSED_TYPES.has(type)) || isRecordsRefused(e)) return true;
    e = cause ?? originalError;
  }
  return false;
}
