import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AfterIngest } from './after-ingest-config.js';
import { classifyS3Failure } from './s3-errors.js';

/** One object version, as its progress names it. */
export interface ObjectVersion {
  bucket: string;
  key: string;
  etag: string;
}

/**
 * What an action found: `done` (the object is tagged / moved / deleted — now or by an earlier try
 * that crashed before recording it), `superseded` (the key holds another version now, which is its
 * own object: it is left alone) or `gone` (nothing left to act on).
 */
export type ActionOutcome = 'done' | 'superseded' | 'gone';

/**
 * Takes an after-ingest action on one object version. Every action can run again after a crash
 * with the same result and without harm: each request is conditional on the version's ETag, and
 * an answer that says "already so" counts as done. Errors are thrown as the SDK gives them;
 * `actionCanRetry` says whether a retry can help.
 */
export async function takeObjectAction(s3: S3Client, object: ObjectVersion, action: AfterIngest): Promise<ActionOutcome> {
  if (action.action === 'tag') return tagObject(s3, object, action.tags);
  if (action.action === 'move')
    return moveObject(s3, object, { bucket: action.bucket ?? object.bucket, key: `${action.prefix}${object.key}` });
  return deleteObject(s3, object);
}

/** Where `move` puts an object. */
export function moveTarget(object: ObjectVersion, action: AfterIngest): string | undefined {
  return action.action === 'move' ? `s3://${action.bucket ?? object.bucket}/${action.prefix}${object.key}` : undefined;
}

/**
 * Whether an error of an action is worth another try: throttling, 5xx (but not 501: an operation the server lacks
 * stays so), timeouts and dropped connections are; a refusal (4xx: access denied, too many tags,
 * an object too large for CopyObject) is not.
 */
export function actionCanRetry(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'NotImplemented' || status === 501) return false;
  if (status !== undefined && status >= 400 && status < 500) return status === 408 || status === 429;
  return classifyS3Failure(error) === 'retry';
}

const quoted = (etag: string) => `"${etag}"`;
const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isMissing = (error: unknown) => statusOf(error) === 404 || (error as { name?: string }).name === 'NoSuchKey';
const isPreconditionFailed = (error: unknown) => statusOf(error) === 412 || (error as { name?: string }).name === 'PreconditionFailed';

/** The version's tags plus the configured ones (a configured key replaces the value it had); nothing is written when they are all there. */
async function tagObject(s3: S3Client, object: ObjectVersion, tags: Record<string, string>): Promise<ActionOutcome> {
  let versionId: string | undefined;
  try {
    versionId = (await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: quoted(object.etag) }))).VersionId;
  } catch (error) {
    if (isPreconditionFailed(error)) return 'superseded';
    if (isMissing(error)) return 'gone';
    throw error;
  }
  // a versioned bucket: tag exactly the version that was read, even if the key changes meanwhile
  const version = versionId ? { VersionId: versionId } : {};
  const current = (await s3.send(new GetObjectTaggingCommand({ Bucket: object.bucket, Key: object.key, ...version }))).TagSet ?? [];
  if (Object.entries(tags).every(([k, v]) => current.some((t) => t.Key === k && t.Value === v))) return 'done';
  const kept = current.filter((t) => t.Key === undefined || !(t.Key in tags));
  const TagSet = [...kept, ...Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))];
  await s3.send(new PutObjectTaggingCommand({ Bucket: object.bucket, Key: object.key, ...version, Tagging: { TagSet } }));
  return 'done';
}

/**
 * CopyObject (only if the source still has this ETag), then DeleteObject (only if it still has
 * it). Run again after a crash: a source already deleted or replaced with the copy in place is a
 * move that happened.
 */
async function moveObject(s3: S3Client, object: ObjectVersion, target: { bucket: string; key: string }): Promise<ActionOutcome> {
  try {
    await s3.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        CopySource: `${object.bucket}/${encodeURIComponent(object.key).replaceAll('%2F', '/')}`,
        CopySourceIfMatch: quoted(object.etag),
      }),
    );
  } catch (error) {
    if (!isMissing(error) && !isPreconditionFailed(error)) throw error;
    if (await exists(s3, target.bucket, target.key)) return 'done'; // copied by an earlier try, which may also have deleted
    return isMissing(error) ? 'gone' : 'superseded';
  }
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: quoted(object.etag) }));
  } catch (error) {
    // deleted by an earlier try, or the key holds a newer version now (its own object): the copy is in place either way
    if (!isMissing(error) && !isPreconditionFailed(error)) throw error;
  }
  return 'done';
}

async function deleteObject(s3: S3Client, object: ObjectVersion): Promise<ActionOutcome> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: quoted(object.etag) }));
    return 'done';
  } catch (error) {
    if (isPreconditionFailed(error)) return 'superseded';
    if (isMissing(error)) return 'gone';
    throw error;
  }
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
