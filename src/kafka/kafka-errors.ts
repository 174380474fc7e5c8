import { SiemStreamError } from '../errors.js';
import { RdErrorCodes } from './rdkafka.js';

const RECORDS_REFUSED = new Set([
  RdErrorCodes.ERR_MSG_SIZE_TOO_LARGE,
  RdErrorCodes.ERR_RECORD_LIST_TOO_LARGE,
  RdErrorCodes.ERR_INVALID_RECORD,
  RdErrorCodes.ERR_INVALID_MSG,
]);

/** refusals a retry cannot change: the stage stops and says why */
const REFUSED_ACCESS = new Set([
  RdErrorCodes.ERR_TOPIC_AUTHORIZATION_FAILED,
  RdErrorCodes.ERR_GROUP_AUTHORIZATION_FAILED,
  RdErrorCodes.ERR_CLUSTER_AUTHORIZATION_FAILED,
  RdErrorCodes.ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
]);

interface RdError {
  message?: string;
  code?: number;
  fatal?: boolean;
  retriable?: boolean;
  abortable?: boolean;
}

/**
 * A librdkafka failure in the project's error model. Fatal (fenced, or the producer's state is
 * lost) needs a new producer: the process exits and its supervisor starts it again.
 */
export function classifyKafkaError(error: unknown, stage: string): SiemStreamError {
  if (error instanceof SiemStreamError) return error;
  const e = (error ?? {}) as RdError;
  const message = `kafka request failed: ${e.message ?? String(error)}`;
  if (
    e.code === RdErrorCodes.ERR__FENCED ||
    e.code === RdErrorCodes.ERR_PRODUCER_FENCED ||
    e.code === RdErrorCodes.ERR_INVALID_PRODUCER_EPOCH
  )
    return new SiemStreamError('KAFKA_FENCED', `producer fenced: ${e.message}`, { stage, cause: error });
  // the broker refuses the records themselves (their size or shape): the same chunk would be refused forever
  if (e.fatal || (e.code !== undefined && (RECORDS_REFUSED.has(e.code) || REFUSED_ACCESS.has(e.code))))
    return new SiemStreamError('KAFKA_FATAL', message, { stage, cause: error });
  return new SiemStreamError('KAFKA_TRANSIENT', message, { stage, cause: error });
}

/** Whether a failed write was refused because of the records it carried (reads the error chain). */
export function isBatchRefused(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as RdError).code;
    if (typeof code === 'number' && RECORDS_REFUSED.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether the producer must be replaced (fenced, or its transactional state is lost). */
export const isFatalProducerError = (error: unknown): boolean => (error as RdError | undefined)?.fatal === true;

const GENERATION_REFUSED = new Set([
  RdErrorCodes.ERR_UNKNOWN_MEMBER_ID,
  RdErrorCodes.ERR_ILLEGAL_GENERATION,
  RdErrorCodes.ERR_FENCED_INSTANCE_ID,
]);

/**
 * Whether the group refused a transaction's offsets because this member's generation is stale
 * (KIP-447): it was a zombie, or lost the partition in a rebalance; another member owns it now.
 */
export function isGenerationRefused(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as RdError).code;
    if (typeof code === 'number' && GENERATION_REFUSED.has(code)) return true;
    if (/Unknown member|Illegal generation|ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID/.test((e as RdError).message ?? '')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** broker answers that say "not yet" (a topic or leader a moment after a change, a coordinator loading) or a request that timed out */
const TRANSIENT = new Set([
  RdErrorCodes.ERR_UNKNOWN_TOPIC_OR_PART,
  RdErrorCodes.ERR_LEADER_NOT_AVAILABLE,
  RdErrorCodes.ERR_NOT_LEADER_FOR_PARTITION,
  RdErrorCodes.ERR_REQUEST_TIMED_OUT,
  RdErrorCodes.ERR_COORDINATOR_LOAD_IN_PROGRESS,
  RdErrorCodes.ERR_COORDINATOR_NOT_AVAILABLE,
  RdErrorCodes.ERR_NOT_COORDINATOR,
  RdErrorCodes.ERR_NETWORK_EXCEPTION,
  RdErrorCodes.ERR__TIMED_OUT,
  RdErrorCodes.ERR__TRANSPORT,
  RdErrorCodes.ERR__ALL_BROKERS_DOWN,
]);

/**
 * Whether an admin or produce call may succeed when repeated. The client marks only its
 * transactional producer's errors `retriable`; for the rest the broker's code says it.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  const e = error as RdError | undefined;
  return e?.retriable === true || (typeof e?.code === 'number' && TRANSIENT.has(e.code));
}
