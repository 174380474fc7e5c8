import type { Codec } from '../config/compression.js';
import type { KafkaConfig } from '../config/schema.js';
import { isRecordFault, SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { batchDuration, recordsIn } from '../observability/metrics.js';
import { reportAssigned } from '../observability/readiness.js';
import { FatalSignal } from '../runtime/fatal-signal.js';
import { watchGroupMembership } from '../runtime/group-liveness.js';
import type { Consumer, EachBatchPayload, KafkaMessage } from './client.js';
import { deadLetter, type RejectedRecord, rejectedRecord } from './dlq.js';
import { isFatalProducerError } from './kafka-errors.js';
import { CONSUMER_PREFETCH, createRdKafka, RdErrorCodes, type RdTopicPartition } from './rdkafka.js';
import { groupCommits, type OutputRecord, type TransactionContent } from './transaction.js';
import { transactionalIdFor } from './transactional-id.js';
import { createTransactionalProducer } from './transactional-producer.js';

export type { OutputRecord } from './transaction.js';

export interface InputRecord extends RejectedRecord {
  message: KafkaMessage;
}

/** Per-record result of a transform, in the manner of Kafka Streams' processors. */
export type RecordOutcome = { kind: 'emit'; records: OutputRecord[] } | { kind: 'reject'; error: unknown };

/**
 * Per-partition state a stage keeps in memory (Kafka Streams' state stores): restored before a
 * partition's first chunk, flushed into each chunk's transaction, dropped when it can no longer be trusted.
 */
export interface PartitionState {
  /** Before the first chunk of a partition this member (re)gained. */
  restore(topic: string, partition: number): Promise<void>;
  /** Extra records (e.g. a changelog) for the chunk's transaction, taken after the chunk was transformed. */
  flush(topic: string, partition: number): OutputRecord[];
  /** The chunk's transaction did not commit, or the partition was revoked: the next owner restores again. */
  discard(topic: string, partition: number): void;
}

export interface TransactionalLoopOptions {
  kafka: KafkaConfig;
  stage: string;
  groupId: string;
  topics: Array<string | RegExp>;
  dlqTopic: string;
  /** records of one partition per chunk */
  maxRecordsPerTransaction: number;
  /** partitions whose chunks are transformed side by side and commit together (groupCommits); default 1 */
  partitionsConsumedConcurrently?: number;
  logger: Logger;
  /** one record at a time; a thrown record fault (isRecordFault) rejects that record */
  transform?: (record: InputRecord) => Promise<RecordOutcome>;
  /** or a whole chunk at once (one outcome per record, in order), for stages that batch work such as model inference */
  transformChunk?: (records: InputRecord[]) => Promise<RecordOutcome[]>;
  /** called after a transaction committed, for progress reporting */
  onCommitted?: (count: number) => void;
  state?: PartitionState;
  /** topics of the stage's own state (a changelog): written in the transaction, not counted as output */
  stateTopics?: ReadonlySet<string>;
  /** the codec of the stage's output (the topology's `topics.compression` for its main output topic) */
  compression?: Codec;
}

export interface RunningLoop {
  consumer: Consumer;
  /** false while a partition's state is being restored */
  ready(): boolean;
  stop(): Promise<void>;
  /**
   * Rejects when the loop cannot go on (a fenced or broken producer, an unwritable DLQ, a member
   * that fell out of its group): the process should exit so its supervisor restarts it from the
   * last commit.
   */
  failed: Promise<never>;
}

/**
 * Consume → transform → produce, exactly once (Kafka's EOS v2, KIP-447): one transactional
 * producer per process; each chunk (one partition's batch, at most maxRecordsPerTransaction
 * records) commits its outputs, its DLQ records and the consumed offset — sent with the
 * consumer's group metadata, so a member whose generation is stale cannot commit — in a
 * transaction; chunks of several partitions that are ready while a transaction commits share the
 * next one (group commit). A failed transaction fails its chunks and the client seeks each
 * partition back to its chunk's first record. librdkafka fetches committed offsets with require_stable, so a new owner never
 * starts behind a transaction that is still completing.
 */
export async function runTransactionalLoop(options: TransactionalLoopOptions): Promise<RunningLoop> {
  const { groupId, logger, stage } = options;
  const { kafka, clientId } = createRdKafka(options.kafka, stage);
  const fatal = new FatalSignal();
  const partitions = new RestoredPartitions(options.state);
  const transactionalId = transactionalIdFor(groupId, options.kafka);
  const consumer = kafka.consumer({
    'js.consumer.max.batch.size': options.maxRecordsPerTransaction,
    ...CONSUMER_PREFETCH,
    'max.poll.interval.ms': options.kafka.maxPollIntervalMs,
    // eachBatch hands one partition's records at a time; a rebalance waits for the batch in hand
    rebalance_cb: (error: { code: number }, assignment: RdTopicPartition[]) => {
      if (error.code === RdErrorCodes.ERR__ASSIGN_PARTITIONS) {
        logger.info({ assigned: assignment }, 'partitions assigned');
        reportAssigned(stage);
        partitions.assigned(assignment);
      } else if (error.code === RdErrorCodes.ERR__REVOKE_PARTITIONS) {
        logger.info({ revoked: assignment }, 'partitions revoked');
        partitions.revoked(assignment);
      }
    },
    kafkaJS: {
      groupId,
      fromBeginning: true,
      autoCommit: false,
      readUncommitted: false,
      sessionTimeout: options.kafka.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.kafka.sessionTimeoutMs / 5)),
      allowAutoTopicCreation: false,
    },
  });
  const producer = createTransactionalProducer(options.kafka, {
    clientSuffix: stage,
    transactionalId,
    transactionTimeoutMs: options.kafka.transactionTimeoutMs,
    ...(options.compression ? { compression: options.compression } : {}),
    consumer,
    logger,
  });
  // InitProducerId: fences an earlier process with the same transactional id and aborts its open transaction
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics });
  const commit = groupCommits(producer, {
    stage,
    ...(options.stateTopics ? { stateTopics: options.stateTopics } : {}),
  });
  const liveness = watchGroupMembership({
    config: options.kafka,
    groupId,
    clientId,
    stallMs: Math.max(30_000, 3 * options.kafka.sessionTimeoutMs),
    logger,
    onStalled: (error) => fatal.fail(error),
  });
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      if (fatal.hasFailed) return; // nothing is resolved: the partition is read again by whoever owns it next
      await processBatch(payload, options, commit, partitions).catch((error: unknown) => {
        const classified = error instanceof SiemStreamError ? error : new SiemStreamError('KAFKA_FATAL', String(error), { stage });
        if (isFatalProducerError(classified.cause) || !classified.retriable) {
          logger.error({ err: classified, code: classified.code }, 'the loop cannot go on; exiting for a restart');
          fatal.fail(classified);
          return;
        }
        logger.warn({ err: classified, code: classified.code }, 'chunk aborted; reading it again');
        throw classified; // the client seeks the partition back to the chunk's first record
      });
    },
  });
  return {
    consumer,
    ready: () => partitions.restoring === 0,
    failed: fatal.failed,
    stop: async () => {
      liveness.stop();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

async function processBatch(
  payload: EachBatchPayload,
  options: TransactionalLoopOptions,
  commit: (content: TransactionContent) => Promise<void>,
  partitions: RestoredPartitions,
) {
  const { batch, resolveOffset, isRunning, isStale } = payload;
  const { stage } = options;
  const { topic, partition, messages } = batch;
  const last = messages[messages.length - 1];
  if (!last || !isRunning() || isStale()) return;
  const timer = batchDuration.startTimer({ stage });
  await partitions.ensure(topic, partition);
  if (!isRunning() || isStale()) return; // a rebalance during a restore: unresolved, so read again
  try {
    const outputs = await transformChunk(messages, topic, partition, options);
    outputs.push(...(options.state?.flush(topic, partition) ?? []));
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    await commit({ records: outputs, consumed: { groupId: options.groupId, topic, partition, nextOffset }, faultPoint: true });
  } catch (error) {
    partitions.discard(topic, partition);
    throw error;
  }
  resolveOffset(last.offset);
  timer();
  recordsIn.inc({ stage }, messages.length);
  options.onCommitted?.(messages.length);
}

async function transformChunk(
  chunk: KafkaMessage[],
  topic: string,
  partition: number,
  options: TransactionalLoopOptions,
): Promise<OutputRecord[]> {
  const records = chunk.map((message): InputRecord => ({ ...rejectedRecord(topic, partition, message), message }));
  const outcomes = options.transformChunk ? await options.transformChunk(records) : await transformEach(records, options);
  const outputs: OutputRecord[] = [];
  records.forEach((record, i) => {
    const outcome = outcomes[i];
    if (!outcome)
      throw new SiemStreamError('KAFKA_FATAL', `${options.stage}: no outcome for offset ${record.offset}`, { stage: options.stage });
    if (outcome.kind === 'emit') {
      outputs.push(...outcome.records);
      return;
    }
    outputs.push(deadLetter(options.dlqTopic, record, outcome.error, options.stage, options.logger));
  });
  return outputs;
}

async function transformEach(records: InputRecord[], options: TransactionalLoopOptions): Promise<RecordOutcome[]> {
  const transform = options.transform;
  if (!transform) throw new SiemStreamError('CONFIG_INVALID', `${options.stage}: no transform`, { stage: options.stage });
  const outcomes: RecordOutcome[] = [];
  for (const record of records) {
    // A record's own fault is rejected to the DLQ; anything else is infrastructure: the chunk retries.
    outcomes.push(
      await transform(record).catch((error: unknown) => {
        if (isRecordFault(error)) return { kind: 'reject' as const, error };
        throw error;
      }),
    );
  }
  return outcomes;
}

/** Which assigned partitions have their stage state restored; without state hooks every partition is. */
class RestoredPartitions {
  private readonly restored = new Set<string>();
  restoring = 0;

  constructor(private readonly state: PartitionState | undefined) {}

  async ensure(topic: string, partition: number): Promise<void> {
    const key = `${topic}\u0000${partition}`;
    if (!this.state || this.restored.has(key)) return;
    this.restoring++;
    try {
      await this.state.restore(topic, partition);
      this.restored.add(key);
    } finally {
      this.restoring--;
    }
  }

  discard(topic: string, partition: number): void {
    this.restored.delete(`${topic}\u0000${partition}`);
    this.state?.discard(topic, partition);
  }

  /** eager rebalancing revokes everything first; what is assigned again is restored again (its state may have moved on) */
  assigned(assignment: RdTopicPartition[]): void {
    for (const { topic, partition } of assignment) this.discard(topic, partition);
  }

  revoked(assignment: RdTopicPartition[]): void {
    for (const { topic, partition } of assignment) this.discard(topic, partition);
  }
}
