import type { S3Client } from '@aws-sdk/client-s3';
import { topologyCompression } from '../../config/compression.js';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { errorMessage, SiemStreamError } from '../../errors.js';
import type { Consumer, EachBatchPayload, Kafka } from '../../kafka/client.js';
import { deadLetter, rejectedRecord } from '../../kafka/dlq.js';
import { isBatchRefused, isGenerationRefused } from '../../kafka/kafka-errors.js';
import type { ConsumedMessage } from '../../kafka/message.js';
import { createRdKafka, kafkaSettingsOf, RdErrorCodes, type RdTopicPartition } from '../../kafka/rdkafka.js';
import { transactionalIdFor } from '../../kafka/transactional-id.js';
import { createTransactionalProducer, type TransactionalProducerClient } from '../../kafka/transactional-producer.js';
import type { Logger } from '../../observability/logger.js';
import { FatalSignal } from '../../runtime/fatal-signal.js';
import { watchGroupMembership } from '../../runtime/group-liveness.js';
import { sleep } from '../../util/backoff.js';
import { countRetry, retryDelayMs } from '../../util/retry.js';
import { takePendingAction } from './after-ingest.js';
import { type AfterIngest, afterIngestFor } from './after-ingest-config.js';
import type { ChunkLimits } from './chunk-limits.js';
import { afterFailedAttempt } from './failure-policy.js';
import { type WorkRecord, workPosition } from './ingest-context.js';
import { deadLetterObject, type IngestContext, type IngestResult, ingestObject } from './object-ingester.js';
import { hasExpiryCandidates, sweepExpiredProgress } from './progress-retention.js';
import { loadPartitionState, type ObjectProgress, type PartitionState, progressKey, refreshListings } from './progress-store.js';
import { bucketAnswers } from './s3-errors.js';
import { s3Objects, s3ObjectsPending, s3OldestPendingAge } from './source-metrics.js';
import { commitSourceTransaction } from './source-transaction.js';
import { parseWorkItem, type WorkItem } from './work-item.js';

const STAGE = 's3-source';

export interface SourceStats {
  objectsCompleted: number;
  objectsFailed: number;
  objectsSkipped: number;
  recordsEmitted: number;
}

/** Not this member's to finish any more (revoked, stale, or the stage is failing): the partition is read again by its owner. */
const STOPPED = 'stopped' as const;

const STALE_GENERATION = 'transaction refused: stale generation (another member owns this work partition now); stopping here';

/**
 * The readers: a consumer group over the work topic, with one transactional producer per process
 * (Kafka's EOS v2, as in the parser). Every transaction of an object — each chunk with the
 * progress record that covers it — also commits the work position with the consumer's group
 * metadata: the work record itself while the object is being read, one past it when it is done.
 * A member whose generation is stale (a zombie, or one that lost the partition) cannot commit, and
 * the new owner, whose offsets librdkafka fetched with require_stable, restores the progress of
 * its partitions from the progress topic's partitions of the same numbers.
 */
export class WorkConsumer {
  private readonly names;
  private readonly producer: TransactionalProducerClient;
  private readonly consumer: Consumer;
  private readonly clientId: string;
  private readonly kafka: Kafka;
  private assigned: number[] = [];
  /** committed progress per assigned work partition, restored before its first work record */
  private readonly progress = new Map<number, PartitionState>();
  /** when each assigned partition's expired progress was last tombstoned */
  private readonly sweptAt = new Map<number, number>();
  private readonly afterIngestOf: (key: string) => AfterIngest | undefined;
  private readonly revoking = new Set<number>();
  private readonly inFlight = new Map<number, Promise<unknown>>();
  private readonly oldestPending = new Map<number, number>();
  private readonly pending = new Map<number, number>();
  private readonly fatal = new FatalSignal();
  private liveness: { stop(): void } | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly s3: S3Client,
    private readonly logger: Logger,
    readonly stats: SourceStats,
    private readonly onAssigned: (partitions: number[]) => void,
    private readonly limits: ChunkLimits,
  ) {
    const config = topology.source.s3;
    this.names = topicNames(topology);
    const { kafka, clientId } = createRdKafka(topology.kafka, STAGE);
    this.clientId = clientId;
    const firstLogType = config.routes[0]?.logType ?? '';
    this.consumer = kafka.consumer({
      'js.consumer.max.batch.size': 50,
      'max.poll.interval.ms': topology.kafka.maxPollIntervalMs,
      rebalance_cb: (error: { code: number }, assignment: RdTopicPartition[]) => this.rebalanced(error.code, assignment),
      kafkaJS: {
        groupId: this.groupId,
        fromBeginning: true,
        autoCommit: false,
        readUncommitted: false,
        sessionTimeout: config.sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(config.sessionTimeoutMs / 10)),
        allowAutoTopicCreation: false,
      },
    });
    this.producer = createTransactionalProducer(topology.kafka, {
      clientSuffix: STAGE,
      transactionalId: transactionalIdFor(config.transactionalId, topology.kafka),
      transactionTimeoutMs: config.transactionTimeoutMs,
      compression: topologyCompression(topology.topics)(this.names.raw(firstLogType)),
      consumer: this.consumer,
      logger,
    });
    this.kafka = kafka;
    this.afterIngestOf = afterIngestFor(config.routes);
  }

  /** rejects when the work consumer cannot go on (fenced, an unwritable DLQ, out of its group): the process exits */
  get failed(): Promise<never> {
    return this.fatal.failed;
  }

  get assignedPartitions(): number[] {
    return this.assigned;
  }

  get groupId(): string {
    return this.topology.source.s3.transactionalId;
  }

  async start(): Promise<void> {
    await this.producer.connect(); // InitProducerId: fences an earlier process with this transactional id
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.names.sourceWork] });
    this.liveness = watchGroupMembership({
      config: kafkaSettingsOf(this.kafka),
      groupId: this.groupId,
      clientId: this.clientId,
      stallMs: Math.max(60_000, 3 * this.topology.source.s3.sessionTimeoutMs),
      logger: this.logger,
      onStalled: (error) => this.fatal.fail(error),
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // objects of different work partitions are read side by side; their transactions take turns on the producer
      partitionsConsumedConcurrently: this.topology.source.s3.concurrentObjects,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.liveness?.stop();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  updateGauges(): void {
    s3ObjectsPending.set([...this.pending.values()].reduce((a, b) => a + b, 0));
    const oldest = Math.min(...this.oldestPending.values());
    s3OldestPendingAge.set(Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : 0);
  }

  /**
   * On revoke, the objects being read on the revoked partitions stop at their next chunk boundary
   * and this waits for them: the next owner must not meet a transaction of ours still in flight.
   */
  private async rebalanced(code: number, assignment: RdTopicPartition[]): Promise<void> {
    const partitions = assignment.filter((a) => a.topic === this.names.sourceWork).map((a) => a.partition);
    if (code === RdErrorCodes.ERR__ASSIGN_PARTITIONS) {
      this.assigned = partitions;
      for (const p of partitions) {
        this.revoking.delete(p);
        this.progress.delete(p); // restored again before its first work record: it may have moved on elsewhere
      }
      this.logger.info({ partitions }, 'work partitions assigned');
      this.onAssigned(partitions);
      return;
    }
    if (code !== RdErrorCodes.ERR__REVOKE_PARTITIONS) return;
    for (const p of partitions) this.revoking.add(p);
    await Promise.allSettled(partitions.map((p) => this.inFlight.get(p)));
    for (const p of partitions) {
      this.progress.delete(p);
      this.sweptAt.delete(p);
      this.pending.delete(p);
      this.oldestPending.delete(p);
    }
    this.assigned = this.assigned.filter((p) => !partitions.includes(p));
    this.logger.info({ partitions }, 'work partitions revoked');
  }

  private owns(partition: number, payload: EachBatchPayload): boolean {
    return !this.revoking.has(partition) && !this.fatal.hasFailed && payload.isRunning() && !payload.isStale();
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { partition } = payload.batch;
    const run = this.processMessages(payload);
    this.inFlight.set(partition, run);
    try {
      await run;
    } catch (error) {
      const failure =
        error instanceof SiemStreamError ? error : new SiemStreamError('KAFKA_FATAL', errorMessage(error), { stage: STAGE, cause: error });
      if (isGenerationRefused(failure)) {
        this.logger.warn({ err: failure, partition }, STALE_GENERATION);
        return; // nothing resolved: whoever owns the partition now reads it
      }
      if (!failure.retriable) {
        this.logger.error({ err: failure, code: failure.code, partition }, 'the work consumer cannot go on; exiting for a restart');
        this.fatal.fail(failure);
        return;
      }
      this.logger.warn({ err: failure, code: failure.code, partition }, 'work batch failed; reading it again from its work record');
      throw failure; // the client seeks the partition back to its first unresolved work record
    } finally {
      if (this.inFlight.get(partition) === run) this.inFlight.delete(partition);
    }
  }

  private async processMessages(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset } = payload;
    const { partition } = batch;
    if (!this.owns(partition, payload)) return;
    const known = this.progress.get(partition);
    const state = known ?? (await this.restore(partition));
    await this.sweepIfDue(partition, state, known === undefined);
    const progress = state.objects;
    const sliceEnds = Date.now() + this.topology.kafka.maxPollIntervalMs / 3;
    for (const message of batch.messages) {
      if (!this.owns(partition, payload)) return;
      this.pending.set(partition, Number(BigInt(batch.highWatermark) - BigInt(message.offset)));
      const result = await this.processItem(payload, message, progress, sliceEnds);
      if (result === STOPPED) return;
      resolveOffset(message.offset);
      // the client polls (and takes part in rebalances) only between batches: give it the chance
      if (Date.now() > sliceEnds) return;
    }
    this.pending.set(partition, 0);
    this.oldestPending.delete(partition);
  }

  private async restore(partition: number): Promise<PartitionState> {
    const started = Date.now();
    const loaded = await loadPartitionState(this.topology.kafka, this.names.sourceOffsets, partition);
    this.progress.set(partition, loaded);
    this.sweptAt.delete(partition);
    this.logger.info({ partition, objects: loaded.objects.size, ms: Date.now() - started }, 'work partition progress restored');
    return loaded;
  }

  /**
   * At assignment and then every `progressRetention.sweepIntervalMs`, in the partition's own turn.
   * The listing states are read on (for the current floor) only when some progress is old enough
   * to expire, and not right after the restore read them.
   */
  private async sweepIfDue(partition: number, state: PartitionState, justRestored: boolean): Promise<void> {
    const config = this.topology.source.s3;
    const now = Date.now();
    if (config.progressRetention.finishedMs === 0) return;
    if (now - (this.sweptAt.get(partition) ?? 0) < config.progressRetention.sweepIntervalMs) return;
    this.sweptAt.set(partition, now);
    if (!hasExpiryCandidates(state, config, now)) return;
    if (!justRestored) await refreshListings(this.topology.kafka, this.names.sourceOffsets, partition, state);
    await sweepExpiredProgress({ config, names: this.names, transactions: this.producer, logger: this.logger, partition }, state, now);
  }

  private async processItem(
    payload: EachBatchPayload,
    message: ConsumedMessage,
    progress: Map<string, ObjectProgress>,
    sliceEnds: number,
  ): Promise<IngestResult | 'skipped'> {
    const { batch } = payload;
    const work: WorkRecord = { groupId: this.groupId, topic: batch.topic, partition: batch.partition, message };
    const item = parseWorkItem(message.value);
    if (!item) {
      const error = new SiemStreamError('RECORD_UNPARSEABLE', 'work record is not a work item', { stage: STAGE });
      const dlq = deadLetter(this.names.dlq(STAGE), rejectedRecord(batch.topic, batch.partition, message), error, STAGE, this.logger);
      await commitSourceTransaction(
        this.producer,
        { messages: new Map([[this.names.dlq(STAGE), [dlq]]]), progress: [], consumed: workPosition(work, true) },
        this.names,
        STAGE,
      );
      return 'skipped';
    }
    this.oldestPending.set(batch.partition, Date.parse(item.discoveredAt) || Date.now());
    const previous = progress.get(progressKey(item));
    // read to its end before, and its after-ingest action not recorded (a crash came between): take it now
    if (previous?.done && previous.afterIngest?.state === 'pending') return this.afterIngest(payload, work, progress, previous);
    if (previous?.done) {
      // a duplicate work record: re-stating the final progress lets an SQS receiver waiting for this object see it finished
      const again: ObjectProgress = { ...previous, updatedAt: new Date().toISOString() };
      await commitSourceTransaction(
        this.producer,
        { progress: [again], progressPartition: batch.partition, consumed: workPosition(work, true) },
        this.names,
        STAGE,
      );
      this.stats.objectsSkipped++;
      s3Objects.inc({ result: 'skipped' });
      return 'skipped';
    }
    const result = await this.ingestWithRetries(payload, item, work, progress, sliceEnds);
    const finished = progress.get(progressKey(item));
    if (result !== 'completed' || finished?.afterIngest?.state !== 'pending') return result;
    return (await this.afterIngest(payload, work, progress, finished)) === STOPPED ? STOPPED : result;
  }

  private async afterIngest(
    payload: EachBatchPayload,
    work: WorkRecord,
    progress: Map<string, ObjectProgress>,
    finished: ObjectProgress,
  ): Promise<'completed' | typeof STOPPED> {
    const log = this.logger.child({ bucket: finished.bucket, key: finished.key, etag: finished.etag, partition: work.partition });
    const taken = await takePendingAction(
      {
        s3: this.s3,
        names: this.names,
        transactions: this.producer,
        logger: log,
        retry: this.topology.source.s3.retry,
        work,
        isActive: () => this.owns(work.partition, payload),
        onCommitted: (committed) => progress.set(progressKey(committed), committed),
      },
      finished,
    );
    return taken === 'stopped' ? STOPPED : 'completed';
  }

  private async ingestWithRetries(
    payload: EachBatchPayload,
    item: WorkItem,
    work: WorkRecord,
    progress: Map<string, ObjectProgress>,
    sliceEnds: number,
  ): Promise<IngestResult> {
    const { retry } = this.topology.source.s3;
    const log = this.logger.child({ bucket: item.bucket, key: item.key, etag: item.etag, partition: work.partition });
    for (let attempt = 1; ; attempt++) {
      // only committed transactions move this: after a failed one it is where the next attempt resumes
      const resumeAt = progress.get(progressKey(item))?.nextRecord ?? 0;
      try {
        log.info({ resumeAt, attempt }, 'object started');
        const result = await ingestObject(this.ingestContext(payload, work, progress, log, sliceEnds, item), item, resumeAt);
        log.info({ result, records: progress.get(progressKey(item))?.nextRecord }, 'object finished');
        return result;
      } catch (error) {
        if (isGenerationRefused(error)) {
          log.warn({ err: error }, STALE_GENERATION);
          return STOPPED;
        }
        if (!this.owns(work.partition, payload)) return STOPPED;
        let next = afterFailedAttempt(error, attempt, retry.attempts);
        if (next === 'dead-letter-if-s3-answers') next = (await bucketAnswers(this.s3, item.bucket)) ? 'dead-letter' : 'rethrow';
        if (next === 'rethrow') throw error;
        if (next === 'dead-letter') return this.deadLetter(payload, item, work, progress, log, error, attempt);
        if (isBatchRefused(error)) await this.limits.refresh();
        countRetry(STAGE, error);
        const delay = retryDelayMs(retry, attempt);
        log.warn({ attempt, delayMs: delay, err: error }, 'object read failed; retrying from its committed progress');
        await this.sleepWhileOwned(payload, work.partition, delay);
      }
    }
  }

  private ingestContext(
    payload: EachBatchPayload,
    work: WorkRecord,
    progress: Map<string, ObjectProgress>,
    log: Logger,
    sliceEnds: number,
    item: WorkItem,
  ): IngestContext {
    return {
      s3: this.s3,
      config: this.topology.source.s3,
      names: this.names,
      logger: log,
      transactions: this.producer,
      chunkLimitBytes: this.limits.forLogType(item.logType),
      work,
      afterIngest: this.afterIngestOf(item.key),
      onCommitted: (committed, emitted) => this.committed(progress, committed, emitted),
      keepAlive: async () => this.updateGauges(),
      // past its slice an object stops at a chunk boundary and is resumed from its progress after the client polled
      isActive: () => this.owns(work.partition, payload) && Date.now() <= sliceEnds,
    };
  }

  /** The retry budget is spent on an object that fails the same way each time: dead-letter it and go on. */
  private async deadLetter(
    payload: EachBatchPayload,
    item: WorkItem,
    work: WorkRecord,
    progress: Map<string, ObjectProgress>,
    log: Logger,
    error: unknown,
    attempts: number,
  ): Promise<IngestResult> {
    const { bucket, key } = item;
    const failure = new SiemStreamError(
      'SOURCE_OBJECT_UNREADABLE',
      `s3://${bucket}/${key} failed ${attempts} attempts; last error: ${errorMessage(error)}`,
      { stage: STAGE, cause: error },
    );
    const nextRecord = progress.get(progressKey(item))?.nextRecord ?? 0;
    const ctx = this.ingestContext(payload, work, progress, log, Number.POSITIVE_INFINITY, item);
    await deadLetterObject(ctx, item, failure, nextRecord, attempts);
    return 'failed';
  }

  private committed(progress: Map<string, ObjectProgress>, committed: ObjectProgress, emitted: number): void {
    progress.set(progressKey(committed), committed);
    this.stats.recordsEmitted += emitted;
    if (committed.done && committed.failed) this.stats.objectsFailed++;
    else if (committed.done) this.stats.objectsCompleted++;
  }

  private async sleepWhileOwned(payload: EachBatchPayload, partition: number, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && this.owns(partition, payload)) await sleep(Math.min(1_000, until - Date.now()));
  }
}
