import { SiemStreamError } from '../../errors.js';
import { retryAfterMs } from '../retry-after.js';
import type { WriteOutcome } from '../sink-module.js';

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** The credentials or the account are wrong: no retry helps and no record is at fault. */
const MISCONFIGURED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'NotAuthorized',
  'OptInRequired',
  // too many log groups or streams in the account: CreateLogGroup/CreateLogStream
  'LimitExceededException',
]);

/** The records themselves were refused (PutLogEvents checks them; this sink checks first, so this is rare). */
const REJECTED = new Set(['InvalidParameterException', 'ValidationException', 'MalformedQueryException']);

export const isAlreadyExists = (error: unknown) => (error as AwsError).name === 'ResourceAlreadyExistsException';
export const isNotFound = (error: unknown) => (error as AwsError).name === 'ResourceNotFoundException';

/**
 * What a failed CloudWatch Logs call means for its records. Decisions read the SDK's error name and
 * HTTP status, never messages: ThrottlingException, ServiceUnavailableException, 5xx, timeouts and
 * dropped connections are retried by the shared runtime (after Retry-After when one was sent).
 */
export function outcomeOfError(error: unknown, what: string, stage: string): WriteOutcome {
  const e = error as AwsError;
  const status = e.$metadata?.httpStatusCode;
  const message = `${what}: ${e.name ?? 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${e.message ?? String(error)}`;
  if ((e.name && MISCONFIGURED.has(e.name)) || status === 401 || status === 403)
    throw new SiemStreamError('DESTINATION_MISCONFIGURED', message, { stage, cause: error });
  if (e.name && REJECTED.has(e.name))
    return { kind: 'reject', error: new SiemStreamError('DESTINATION_REJECTED', message, { stage, cause: error }) };
  const retriable = status === undefined || status === 408 || status === 429 || status >= 500 || e.name === 'ThrottlingException';
  if (!retriable) return { kind: 'reject', error: new SiemStreamError('DESTINATION_REJECTED', message, { stage, cause: error }) };
  const retry = new SiemStreamError('DESTINATION_UNAVAILABLE', message, { stage, cause: error });
  const after = retryAfterMs((name) => e.$response?.headers?.[name]);
  return after === undefined ? { kind: 'retry', error: retry } : { kind: 'retry', error: retry, retryAfterMs: after };
}
