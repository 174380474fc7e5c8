import type { TopicNames } from '../../config/topics.js';
import type { TransactionalProducer } from '../../kafka/transaction.js';
import type { Logger } from '../../observability/logger.js';
import type { S3SourceConfig } from './config.js';
import { floorOf } from './lister.js';
import { listingKey, type ObjectProgress, type PartitionState } from './progress-store.js';
import { progressExpired } from './source-metrics.js';
import { commitSourceTransaction } from './source-transaction.js';

const STAGE = 's3-source';
/** tombstones per transaction */
const TOMBSTONES_PER_TRANSACTION = 5_000;

/**
 * Whether a finished object's progress may go: it is what makes a repeated work record for the
 * object a skip, so it stays as long as the object can be discovered again —
 * - never while its after-ingest action is pending (its work record is still unconsumed);
 * - at least `progressRetention.finishedMs` after it was last written (a repeated work record
 *   re-states it, so the clock starts again): the window for repeated SQS notifications and
 *   repeated work records;
 * - with polling, only once its key is at or below the look-back floor of every location that
 *   lists it (the lister starts each pass after the floor, so such a key is never listed again),
 *   unless its action moved or deleted it, or it belongs to a re-ingest run (never enqueued again).
 */
export function progressExpires(
  progress: ObjectProgress,
  listings: PartitionState['listings'],
  config: S3SourceConfig,
  now: number,
): boolean {
  const { finishedMs } = config.progressRetention;
  if (finishedMs === 0 || !progress.done || progress.afterIngest?.state === 'pending') return false;
  if (now - Date.parse(progress.updatedAt) < finishedMs) return false;
  if (config.discovery === 'sqs' || progress.reingestId !== undefined || removedFromBucket(progress)) return true;
  const locations = config.locations ?? [{ bucket: config.bucket, prefix: config.prefix }];
  return locations
    .filter((l) => l.bucket === progress.bucket && progress.key.startsWith(l.prefix))
    .every((l) => {
      const listing = listings.get(listingKey(l.bucket, l.prefix));
      const floor = listing ? floorOf(listing, now - config.lookBackMs) : null;
      return floor !== null && progress.key <= floor;
    });
}

/** Whether any progress is finished and old enough to expire (before the floor is asked). */
export function hasExpiryCandidates(state: PartitionState, config: S3SourceConfig, now: number): boolean {
  const { finishedMs } = config.progressRetention;
  if (finishedMs === 0) return false;
  for (const p of state.objects.values()) {
    if (p.done && p.afterIngest?.state !== 'pending' && now - Date.parse(p.updatedAt) >= finishedMs) return true;
  }
  return false;
}

function removedFromBucket(progress: ObjectProgress): boolean {
  const a = progress.afterIngest;
  return a?.state === 'done' && (a.action === 'move' || a.action === 'delete') && a.outcome !== 'superseded';
}

/** What sweeping one partition needs from the work consumer that owns it. */
export interface SweepContext {
  config: S3SourceConfig;
  names: TopicNames;
  transactions: TransactionalProducer;
  logger: Logger;
  partition: number;
}

/**
 * Tombstones the expired progress of one work partition (compaction then removes it from the
 * topic, so the next restore reads less) and forgets it in memory. Runs in the partition's own
 * turn (before a batch of its work records), so no object of it is being read meanwhile.
 */
export async function sweepExpiredProgress(ctx: SweepContext, state: PartitionState, now = Date.now()): Promise<number> {
  const expired = [...state.objects].filter(([, p]) => progressExpires(p, state.listings, ctx.config, now)).map(([key]) => key);
  for (let i = 0; i < expired.length; i += TOMBSTONES_PER_TRANSACTION) {
    const keys = expired.slice(i, i + TOMBSTONES_PER_TRANSACTION);
    const tombstones = keys.map((key) => ({ key, value: null, partition: ctx.partition }));
    await commitSourceTransaction(
      ctx.transactions,
      { messages: new Map([[ctx.names.sourceOffsets, tombstones]]), progress: [] },
      ctx.names,
      STAGE,
    );
    for (const key of keys) state.objects.delete(key);
    progressExpired.inc(keys.length);
  }
  if (expired.length > 0)
    ctx.logger.info(
      { partition: ctx.partition, expired: expired.length, kept: state.objects.size },
      'expired progress of finished objects tombstoned',
    );
  return expired.length;
}
