import type { S3Client } from '@aws-sdk/client-s3';
import { topologyCompression } from '../../config/compression.js';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { errorMessage, SiemStreamError } from '../../errors.js';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from '../../kafka/client.js';
import { deadLetter, rejectedRecord } from '../../kafka/dlq.js';
import { classifyKafkaError, isBatchRefused } from '../../kafka/kafka-errors.js';
import { PartitionProducers } from '../../kafka/partition-producers.js';
import type { Logger } from '../../observability/logger.js';
import { FatalSignal } from '../../runtime/fatal-signal.js';
import { sleep } from '../../util/backoff.js';
import { countRetry, retryDelayMs } from '../../util/retry.js';
import type { ChunkLimits } from './chunk-limits.js';
import { afterFailedAttempt } from './failure-policy.js';
import { deadLetterObject, type IngestContext, type IngestResult, ingestObject } from './object-ingester.js';
import { loadSourceState, type ObjectProgress, progressKey, progressOf, type SourceState } from './progress-store.js';
import { bucketAnswers } from './s3-errors.js';
import { s3Objects, s3ObjectsPending, s3OldestPendingAge } from './source-metrics.js';
import { commitSourceTransaction, SOURCE_PRODUCER_CONFIG } from './source-transaction.js';
import { parseWorkItem, type WorkItem } from './work-item.js';

const STAGE = 's3-source';

type WorkRecord = IngestContext['work'];

export interface SourceStats {
  objectsCompleted: number;
  objectsFailed: number;
  objectsSkipped: number;
  recordsEmitted: number;
}

/**
 * The readers: a consumer group over the work topic. Each work partition has its own
 * transactional producer (`<transactionalId>-<work topic>-<partition>`), so whoever is assigned a
 * partition fences its previous owner before reading the progress of that partition's objects —
 * two instances never read one object at once, and a zombie's late commit is refused.
 */
export class WorkConsumer {
  private readonly names;
  private readonly producers: PartitionProducers;
  private readonly consumer: Consumer;
  private readonly ready = new Set<number>();
  private assigned: number[] = [];
  private readonly oldestPending = new Map<number, number>();
  private readonly pending = new Map<number, number>();
  private readying: Promise<void> = Promise.resolve();
  /** rejects when the consumer stopped for good (a crash kafkajs does not restart) */
  private readonly fatal = new FatalSignal();

  constructor(
    private readonly topology: Topology,
    private readonly kafka: Kafka,
    private readonly s3: S3Client,
    private readonly logger: Logger,
    private readonly state: Map<string, SourceState>,
    readonly stats: SourceStats,
    private readonly onAssigned: (partitions: number[]) => void,
    private readonly limits: ChunkLimits,
  ) {
    const config = topology.source.s3;
    this.names = topicNames(topology);
    this.producers = new PartitionProducers(kafka, config.transactionalId, config.transactionTimeoutMs, SOURCE_PRODUCER_CONFIG);
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(config.sessionTimeoutMs / 10)),
      maxBytesPerPartition: 64 * 1024,
      allowAutoTopicCreation: false,
      retry: { retries: 8, restartOnFailure: async (error) => this.restartable(error) },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = payload.memberAssignment[this.names.sourceWork] ?? [];
      // any rejoin may follow a time out of the group: fence again and re-read progress before reading
      this.ready.clear();
      this.pending.clear();
      this.oldestPending.clear();
      this.logger.info({ partitions: this.assigned }, 'work partitions assigned');
      const keep = this.assigned.map((partition) => ({ topic: this.names.sourceWork, partition }));
      this.producers.retain(keep).catch((error: unknown) => this.logger.warn({ err: error }, 'closing revoked producers failed'));
      this.onAssigned(this.assigned);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fatal.fail(payload.error);
    });
  }

  /** rejects when the consumer stopped for good (a crash kafkajs does not restart) */
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
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.names.sourceWork], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // objects of different work partitions are read side by side, each with its partition's producer
      partitionsConsumedConcurrently: this.topology.source.s3.concurrentObjects,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producers.closeAll();
  }

  updateGauges(): void {
    s3ObjectsPending.set([...this.pending.values()].reduce((a, b) => a + b, 0));
    const oldest = Math.min(...this.oldestPending.values());
    s3OldestPendingAge.set(Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : 0);
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, resolveOffset, heartbeat } = payload;
    await this.ensureReady();
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      this.pending.set(batch.partition, Number(BigInt(batch.highWatermark) - BigInt(message.offset)));
      const result = await this.processItem(payload, message);
      if (result === 'stopped') return;
      resolveOffset(message.offset);
      await heartbeat();
    }
    this.pending.set(batch.partition, 0);
    this.oldestPending.delete(batch.partition);
  }

  /** Fence every newly assigned partition's previous owner, then read the progress they left (once, for all of them). */
  private ensureReady(): Promise<void> {
    // a failed attempt must not poison the chain: the next batch tries again
    this.readying = this.readying.catch(() => undefined).then(() => this.fenceAndRestore());
    return this.readying;
  }

  private async fenceAndRestore(): Promise<void> {
    const fresh = this.assigned.filter((p) => !this.ready.has(p));
    if (fresh.length === 0) return;
    for (const partition of fresh) {
      // A new producer, even for a partition this member kept: its InitProducerId fences the old
      // producer too, whose transaction may still be in flight from the previous generation (an
      // object of another partition read side by side). Restoring first and letting that commit
      // land afterwards would resume from a stale progress, and write a chunk twice.
      await this.producers.discard(this.names.sourceWork, partition);
      const producer = await this.producers.get(this.names.sourceWork, partition);
      await (await producer.transaction()).abort();
    }
    const loaded = await loadSourceState(this.kafka, this.names.sourceOffsets);
    this.state.clear();
    for (const [k, v] of loaded) this.state.set(k, v);
    for (const partition of fresh) this.ready.add(partition);
    this.logger.info({ partitions: fresh, keys: loaded.size }, 'work partitions fenced; source progress restored');
  }

  private async processItem(payload: EachBatchPayload, message: KafkaMessage): Promise<IngestResult | 'skipped'> {
    const { batch } = payload;
    const producer = await this.producers.get(batch.topic, batch.partition);
    const work = { groupId: this.groupId, topic: batch.topic, partition: batch.partition, message };
    const item = parseWorkItem(message.value);
    if (!item) {
      const error = new SiemStreamError('RECORD_UNPARSEABLE', 'work record is not a work item', { stage: STAGE });
      const dlq = deadLetter(this.names.dlq(STAGE), rejectedRecord(batch.topic, batch.partition, message), error, STAGE, this.logger);
      await commitSourceTransaction(
        producer,
        { messages: new Map([[this.names.dlq(STAGE), [dlq]]]), progress: [], consumed: work },
        this.names,
        STAGE,
      );
      return 'skipped';
    }
    this.oldestPending.set(batch.partition, Date.parse(item.discoveredAt) || Date.now());
    const previous = progressOf(this.state, item);
    if (previous?.done) {
      // re-stating the final progress lets an SQS receiver waiting for this object see it finished
      const again: ObjectProgress = { ...previous, updatedAt: new Date().toISOString() };
      await commitSourceTransaction(producer, { progress: [again], consumed: work }, this.names, STAGE);
      this.stats.objectsSkipped++;
      s3Objects.inc({ result: 'skipped' });
      return 'skipped';
    }
    return this.ingestWithRetries(payload, item, work);
  }

  private async ingestWithRetries(payload: EachBatchPayload, item: WorkItem, work: WorkRecord): Promise<IngestResult> {
    const { retry } = this.topology.source.s3;
    const log = this.logger.child({ bucket: item.bucket, key: item.key, etag: item.etag, partition: work.partition });
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) await this.refenceAndReread(item, work);
      const resumeAt = progressOf(this.state, item)?.nextRecord ?? 0;
      try {
        log.info({ resumeAt, attempt }, 'object started');
        const result = await ingestObject(await this.ingestContext(payload, item, work, log), item, resumeAt);
        log.info({ result, records: progressOf(this.state, item)?.nextRecord }, 'object finished');
        return result;
      } catch (error) {
        if (error instanceof SiemStreamError && error.code.startsWith('KAFKA_')) await this.producers.discard(work.topic, work.partition);
        let next = afterFailedAttempt(error, attempt, retry.attempts);
        if (next === 'dead-letter-if-s3-answers') next = (await bucketAnswers(this.s3, item.bucket)) ? 'dead-letter' : 'rethrow';
        if (next === 'rethrow') throw error;
        // a consumer leaving the group sees its reads fail too: that says nothing about the object
        if (next === 'dead-letter' && !(payload.isRunning() && !payload.isStale())) return 'stopped';
        if (next === 'dead-letter') return this.deadLetter(payload, item, work, log, error, attempt);
        if (isBatchRefused(error)) await this.limits.refresh();
        countRetry(STAGE, error);
        const delay = retryDelayMs(retry, attempt);
        log.warn({ attempt, delayMs: delay, err: error }, 'object read failed; retrying from its committed progress');
        await this.sleepWithHeartbeat(payload, delay);
      }
    }
  }

  private async ingestContext(payload: EachBatchPayload, item: WorkItem, work: WorkRecord, log: Logger): Promise<IngestContext> {
    const { topics } = this.topology;
    const producer = await this.producers.get(work.topic, work.partition).catch((error: unknown) => {
      throw classifyKafkaError(error, STAGE);
    });
    return {
      s3: this.s3,
      config: this.topology.source.s3,
      names: this.names,
      logger: log,
      producer,
      chunkLimitBytes: this.limits.forLogType(item.logType),
      compressionOf: topologyCompression(topics),
      work,
      onCommitted: (progress, emitted) => this.committed(progress, emitted),
      keepAlive: async () => {
        this.updateGauges();
        await payload.heartbeat();
      },
      isActive: () => payload.isRunning() && !payload.isStale(),
    };
  }

  /** The retry budget is spent on an object that fails the same way each time: dead-letter it and go on. */
  private async deadLetter(
    payload: EachBatchPayload,
    item: WorkItem,
    work: WorkRecord,
    log: Logger,
    error: unknown,
    attempts: number,
  ): Promise<IngestResult> {
    const { bucket, key } = item;
    const last = errorMessage(error);
    const failure = new SiemStreamError(
      'SOURCE_OBJECT_UNREADABLE',
      `s3://${bucket}/${key} failed ${attempts} attempts; last error: ${last}`,
      {
        stage: STAGE,
        cause: error,
      },
    );
    await this.refenceAndReread(item, work);
    const nextRecord = progressOf(this.state, item)?.nextRecord ?? 0;
    await deadLetterObject(await this.ingestContext(payload, item, work, log), item, failure, nextRecord, attempts);
    return 'failed';
  }

  private committed(progress: ObjectProgress, emitted: number): void {
    this.state.set(progressKey(progress), progress);
    this.stats.recordsEmitted += emitted;
    if (progress.done && progress.failed) this.stats.objectsFailed++;
    else if (progress.done) this.stats.objectsCompleted++;
  }

  private async sleepWithHeartbeat(payload: EachBatchPayload, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && payload.isRunning()) {
      await sleep(Math.min(1_000, until - Date.now()));
      await payload.heartbeat();
    }
  }

  /**
   * Before a retry: the retry's new producer (InitProducerId) may have just fenced another member
   * that owns this work partition now (we could be a zombie that has not noticed yet), and waited
   * for whatever that member was committing. So the object's progress is read again as committed,
   * and if the group already committed past this work record, someone else finished it: stop
   * rather than write it twice (the consumer rejoins and restores).
   */
  private async refenceAndReread(item: WorkItem, work: WorkRecord): Promise<void> {
    const producer = await this.producers.get(work.topic, work.partition);
    await (await producer.transaction()).abort();
    const committed = await this.producers.committedOffset(this.groupId, work.topic, work.partition);
    if (committed !== undefined && committed > BigInt(work.message.offset)) {
      await this.producers.discard(work.topic, work.partition);
      throw new SiemStreamError(
        'KAFKA_FENCED',
        `${work.topic}[${work.partition}]: work record ${work.message.offset} was already completed (committed offset ${committed}); rejoining`,
        { stage: STAGE },
      );
    }
    const key = progressKey(item);
    const loaded = (await loadSourceState(this.kafka, this.names.sourceOffsets)).get(key);
    if (loaded) this.state.set(key, loaded);
    else this.state.delete(key);
  }

  private async restartable(error: Error): Promise<boolean> {
    const restart = !(error instanceof SiemStreamError) || error.retriable || error.code === 'KAFKA_FENCED';
    this.logger.error({ err: error, restart }, 'work consumer crashed');
    return restart;
  }
}
