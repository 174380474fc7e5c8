import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { SiemStreamError } from '../../errors.js';

const STAGE = 's3-source';

/** Answers about this one object: it is recorded as failed and the others go on. */
const OBJECT_FAULT_NAMES = new Set([
  'AccessDenied',
  'NoSuchKey',
  'NotFound',
  'InvalidObjectState',
  'KMS.AccessDeniedException',
  'KMS.DisabledException',
  'KMS.KMSInvalidStateException',
  'KMS.NotFoundException',
]);

/** Anything else (SlowDown, 503, InternalError, timeouts, dropped connections) is retried with backoff. */
export type S3Failure = 'retry' | 'object-failed' | 'superseded';

/**
 * What to do about an error while reading an object. Decisions read the SDK's error name, HTTP
 * status and socket codes, never messages. A 412 on GetObject's If-Match means the key now holds
 * another version (which will be discovered as its own object).
 */
export function classifyS3Failure(error: unknown): S3Failure {
  if (error instanceof SiemStreamError) return error.code === 'SOURCE_OBJECT_UNREADABLE' ? 'object-failed' : 'retry';
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'PreconditionFailed' || status === 412) return 'superseded';
  if (e.name && OBJECT_FAULT_NAMES.has(e.name)) return 'object-failed';
  if (e.name?.startsWith('KMS.')) return 'object-failed';
  if (status === 403 || status === 404) return 'object-failed';
  return 'retry';
}

/** An object-level failure in the project's error model, for its DLQ record and progress. */
export function objectFailure(error: unknown, bucket: string, key: string): SiemStreamError {
  if (error instanceof SiemStreamError) return error;
  const name = (error as { name?: string }).name ?? 'Error';
  return new SiemStreamError('SOURCE_OBJECT_UNREADABLE', `s3://${bucket}/${key}: ${name}: ${(error as Error).message}`, {
    stage: STAGE,
    cause: error,
  });
}

export function sourceUnavailable(error: unknown, what: string): SiemStreamError {
  if (error instanceof SiemStreamError) return error;
  return new SiemStreamError('SOURCE_UNAVAILABLE', `${what}: ${(error as Error)?.message ?? String(error)}`, {
    stage: STAGE,
    cause: error,
  });
}

/**
 * Whether S3 itself is answering: HeadBucket gets an answer below 500 (a 403 without
 * s3:ListBucket still proves the service is up). Asked before an object whose retry budget is
 * spent is dead-lettered — during an S3 outage every object would fail, and none is to blame.
 */
export async function bucketAnswers(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return status !== undefined && status < 500;
  }
}
