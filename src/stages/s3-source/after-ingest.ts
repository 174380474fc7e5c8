import type { S3Client } from '@aws-sdk/client-s3';
import type { TopicNames } from '../../config/topics.js';
import { errorMessage, SiemStreamError } from '../../errors.js';
import { dlqMessage, rejectedRecord } from '../../kafka/dlq.js';
import { faultPoint } from '../../kafka/fault-injection.js';
import type { TransactionalProducer } from '../../kafka/transaction.js';
import type { Logger } from '../../observability/logger.js';
import { RAW_HEADER } from '../../schemas/raw-record.js';
import { type RetryPolicy, withRetry } from '../../util/retry.js';
import type { AfterIngest } from './after-ingest-config.js';
import { type WorkRecord, workPosition } from './ingest-context.js';
import { type ActionOutcome, actionCanRetry, moveTarget, takeObjectAction } from './object-actions.js';
import type { ObjectProgress } from './progress-store.js';
import { objectActions } from './source-metrics.js';
import { commitSourceTransaction } from './source-transaction.js';

const STAGE = 's3-source';
export const ACTION_HEADER = 'siem.s3.action';
export const ACTION_TARGET_HEADER = 'siem.s3.action.target';

/** What taking an object's after-ingest action needs from the work consumer. */
export interface AfterIngestContext {
  s3: S3Client;
  names: TopicNames;
  transactions: TransactionalProducer;
  logger: Logger;
  retry: RetryPolicy;
  /** the object's work record: it stays unconsumed until the action is recorded */
  work: WorkRecord;
  /** false once the work partition is not this member's any more (the next owner takes the action) */
  isActive(): boolean;
  onCommitted(progress: ObjectProgress): void;
}

class NoLongerOwned extends Error {}

/**
 * Takes the pending after-ingest action of an object whose last records are committed, then
 * records it in one transaction with the work record's consumption: the progress `done` with what
 * the action found, or — when the action was refused or failed on every attempt — `failed` and a
 * DLQ record with the bucket, key, etag, action and error. A crash before that transaction
 * redelivers the work record and the action runs again, which is harmless (object-actions.ts).
 */
export async function takePendingAction(ctx: AfterIngestContext, finished: ObjectProgress): Promise<'taken' | 'stopped'> {
  const pending = finished.afterIngest;
  if (pending?.state !== 'pending') return 'taken';
  const { state: _state, outcome: _outcome, ...action } = pending;
  const log = ctx.logger.child({ action: action.action, target: moveTarget(finished, action) });
  faultPoint('before-object-action');
  let attempts = 0;
  const owned = new AbortController();
  const watch = setInterval(() => ctx.isActive() || owned.abort(), 250);
  let outcome: ActionOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await withRetry(
      async (attempt) => {
        if (!ctx.isActive()) throw new NoLongerOwned();
        attempts = attempt;
        return takeObjectAction(ctx.s3, finished, action);
      },
      ctx.retry,
      {
        stage: STAGE,
        what: `${action.action} s3://${finished.bucket}/${finished.key}`,
        logger: log,
        retriable: actionCanRetry,
        errorCode: () => 'SOURCE_UNAVAILABLE',
        signal: owned.signal,
      },
    );
  } catch (error) {
    if (error instanceof NoLongerOwned || !ctx.isActive()) return 'stopped';
    failure = error;
  } finally {
    clearInterval(watch);
  }
  faultPoint('after-object-action');
  if (outcome !== undefined) {
    await record(ctx, finished, { ...action, state: 'done', outcome });
    objectActions.inc({ action: action.action, result: outcome });
    log.info({ outcome, attempts }, 'after-ingest action taken');
  } else {
    await recordFailure(ctx, finished, action, failure, attempts);
    objectActions.inc({ action: action.action, result: 'failed' });
  }
  return 'taken';
}

async function record(
  ctx: AfterIngestContext,
  finished: ObjectProgress,
  afterIngest: NonNullable<ObjectProgress['afterIngest']>,
  messages?: Map<string, ReturnType<typeof dlqMessage>[]>,
): Promise<void> {
  const progress: ObjectProgress = { ...finished, afterIngest, updatedAt: new Date().toISOString() };
  await commitSourceTransaction(
    ctx.transactions,
    {
      ...(messages ? { messages } : {}),
      progress: [progress],
      progressPartition: ctx.work.partition,
      consumed: workPosition(ctx.work, true),
    },
    ctx.names,
    STAGE,
  );
  ctx.onCommitted(progress);
}

async function recordFailure(ctx: AfterIngestContext, finished: ObjectProgress, action: AfterIngest, cause: unknown, attempts: number) {
  const { bucket, key, etag } = finished;
  const name = (cause as { name?: string } | undefined)?.name ?? 'Error';
  const error = new SiemStreamError(
    'SOURCE_OBJECT_ACTION_FAILED',
    `${action.action} of s3://${bucket}/${key} (etag ${etag}) failed after ${attempts} attempt(s): ${name}: ${errorMessage(cause)}`,
    { stage: STAGE, cause },
  );
  const rejected = rejectedRecord(ctx.work.topic, ctx.work.partition, ctx.work.message);
  const target = moveTarget(finished, action);
  rejected.headers = {
    ...rejected.headers,
    [RAW_HEADER.bucket]: bucket,
    [RAW_HEADER.key]: key,
    [RAW_HEADER.etag]: etag,
    [ACTION_HEADER]: action.action,
    ...(target ? { [ACTION_TARGET_HEADER]: target } : {}),
  };
  ctx.logger.error({ err: error, attempts }, 'after-ingest action failed; dead-lettered');
  const dlq = new Map([[ctx.names.dlq(STAGE), [dlqMessage(rejected, error, STAGE, attempts)]]]);
  await record(ctx, finished, { ...action, state: 'failed', outcome: error.message.slice(0, 1_000) }, dlq);
}
