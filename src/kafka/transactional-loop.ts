import { isRecordFault, SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { batchDuration, recordsIn } from '../observability/metrics.js';
import { reportAssigned } from '../observability/readiness.js';
import { FatalSignal } from '../runtime/fatal-signal.js';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from './client.js';
import type { CompressionOf } from './compression.js';
import { deadLetter, type RejectedRecord, rejectedRecord } from './dlq.js';
import { PartitionProducers } from './partition-producers.js';
import { commitTransaction, type OutputRecord } from './transaction.js';

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
  /** Before the first chunk of a partition this member (re)gained, after its producer fenced the previous owner. */
  restore(topic: string, partition: number): Promise<void>;
  /** Extra records (e.g. a changelog) for the chunk's transaction, taken after the chunk was transformed. */
  flush(topic: string, partition: number): OutputRecord[];
  /** The chunk's transaction did not commit, or the partition was revoked: the next owner restores again. */
  discard(topic: string, partition: number): void;
}

export interface TransactionalLoopOptions {
  kafka: Kafka;
  stage: string;
  groupId: string;
  topics: Array<string | RegExp>;
  dlqTopic: string;
  maxRecordsPerTransaction: number;
  sessionTimeoutMs: number;
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
  /** the codec of each topic it writes (the topology's `topics.compression`) */
  compressionOf?: CompressionOf;
}

export interface RunningLoop {
  consumer: Consumer;
  /** false while a partition's state is being restored */
  ready(): boolean;
  stop(): Promise<void>;
  /**
   * Rejects when the consumer stopped for good (an error kafkajs will not restart on, such as an
   * unwritable DLQ): the process should exit so its supervisor restarts it from the last commit.
   */
  failed: Promise<never>;
}

/**
 * Consume → transform → produce, exactly once: a chunk's outputs, its DLQ records and the
 * consumed offset commit in one Kafka transaction of the input partition's producer.
 * A failed transaction is aborted and its records are fetched again (offsets are only
 * resolved after a commit). A fenced producer makes the member leave and rejoin the group.
 */
export async function runTransactionalLoop(options: TransactionalLoopOptions): Promise<RunningLoop> {
  const { kafka, groupId, logger } = options;
  const producers = new PartitionProducers(kafka, groupId);
  const partitions = new RestoredPartitions(options.state);
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
    allowAutoTopicCreation: false,
    retry: { retries: 8, restartOnFailure: async (error) => restartable(error, logger) },
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    logger.info({ assigned: payload.memberAssignment }, 'partitions assigned');
    reportAssigned(options.stage);
    partitions.retain(assigned);
    producers.retain(assigned).catch((error: unknown) => logger.warn({ err: error }, 'closing revoked producers failed'));
  });

  // kafkajs wraps what eachBatch threw into an error of its own that drops the cause; keep ours for the report
  let lastBatchError: unknown;
  const fatal = new FatalSignal();
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return;
    fatal.fail(lastBatchError instanceof Error && lastBatchError.message === payload.error.message ? lastBatchError : payload.error);
  });

  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: (payload) =>
      processBatch(payload, options, producers, partitions).catch((error: unknown) => {
        lastBatchError = error;
        throw error;
      }),
  });
  return {
    consumer,
    ready: () => partitions.restoring === 0,
    failed: fatal.failed,
    stop: async () => {
      await consumer.disconnect();
      await producers.closeAll();
    },
  };
}

async function processBatch(
  payload: EachBatchPayload,
  options: TransactionalLoopOptions,
  producers: PartitionProducers,
  partitions: RestoredPartitions,
) {
  const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
  const { stage } = options;
  const messages = skipOwnCommitted(batch.topic, batch.partition, batch.messages, producers, resolveOffset, options);
  for (let start = 0; start < messages.length; start += options.maxRecordsPerTransaction) {
    if (!isRunning() || isStale()) return;
    const chunk = messages.slice(start, start + options.maxRecordsPerTransaction);
    const timer = batchDuration.startTimer({ stage });
    await partitions.ensure(batch.topic, batch.partition, () => producers.get(batch.topic, batch.partition));
    if (!isRunning() || isStale()) return; // a rebalance during a restore
    const first = chunk[0] as KafkaMessage;
    const last = chunk[chunk.length - 1] as KafkaMessage;
    try {
      const outputs = await transformChunk(chunk, batch.topic, batch.partition, options);
      outputs.push(...(options.state?.flush(batch.topic, batch.partition) ?? []));
      await commitChunk(outputs, batch.topic, batch.partition, first.offset, last.offset, options, producers);
    } catch (error) {
      partitions.discard(batch.topic, batch.partition);
      throw error;
    }
    resolveOffset(last.offset);
    timer();
    recordsIn.inc({ stage }, chunk.length);
    options.onCommitted?.(chunk.length);
    await heartbeat();
  }
}

/**
 * A transaction's offsets reach __consumer_offsets with its commit markers, a moment after
 * EndTxn returns, and kafkajs fetches offsets without KIP-447's require_stable: after a rebalance
 * that left it a partition, a member can be handed back an offset older than its own last commit
 * and would process those records again. Its producer is not new, so nothing fences it; what it
 * committed itself is known here, and those records are skipped.
 */
function skipOwnCommitted(
  topic: string,
  partition: number,
  messages: KafkaMessage[],
  producers: PartitionProducers,
  resolveOffset: (offset: string) => void,
  options: TransactionalLoopOptions,
): KafkaMessage[] {
  const end = producers.committedEnd(topic, partition);
  if (end === undefined || messages.length === 0 || BigInt((messages[0] as KafkaMessage).offset) >= end) return messages;
  const fresh = messages.filter((m) => BigInt(m.offset) >= end);
  const skipped = messages.length - fresh.length;
  resolveOffset((messages[skipped - 1] as KafkaMessage).offset);
  options.logger.info(
    { topic, partition, from: (messages[0] as KafkaMessage).offset, committedEnd: end.toString(), skipped },
    "fetch position behind this member's own last commit (offsets not yet stable); skipping what it committed",
  );
  return fresh;
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

async function commitChunk(
  outputs: OutputRecord[],
  topic: string,
  partition: number,
  firstOffset: string,
  lastOffset: string,
  options: TransactionalLoopOptions,
  producers: PartitionProducers,
): Promise<void> {
  const { stage } = options;
  const producer = await producers.get(topic, partition);
  if (!producers.isVerified(topic, partition)) {
    await assertPositionCurrent(producers, topic, partition, firstOffset, options);
  }
  const nextOffset = (BigInt(lastOffset) + 1n).toString();
  try {
    await commitTransaction(
      producer,
      { records: outputs, consumed: { groupId: options.groupId, topic, partition, nextOffset }, faultPoint: true },
      { stage, stateTopics: options.stateTopics, compressionOf: options.compressionOf },
    );
  } catch (error) {
    await producers.discard(topic, partition);
    const { code } = error as SiemStreamError;
    options.logger.error({ topic, partition, code, err: error }, 'transaction aborted');
    throw error;
  }
  producers.markCommitted(topic, partition, BigInt(lastOffset) + 1n);
}

/**
 * kafkajs cannot fence by group generation (no KIP-447), so the partition-bound transactional id
 * does it — but only for transactions of a producer that already owns the id. A freshly initialised
 * producer has just fenced every other owner; it may only go on if this member's fetch position is
 * not behind what a previous owner committed. Otherwise this member is a zombie whose assignment
 * is stale (or it fetched offsets while the previous owner's last transaction was completing):
 * processing would duplicate records, so it rejoins the group and fetches its position again.
 */
async function assertPositionCurrent(
  producers: PartitionProducers,
  topic: string,
  partition: number,
  firstOffset: string,
  options: TransactionalLoopOptions,
): Promise<void> {
  const committed = await producers.committedOffset(options.groupId, topic, partition);
  if (committed !== undefined && committed > BigInt(firstOffset)) {
    await producers.discard(topic, partition);
    throw new SiemStreamError(
      'KAFKA_FENCED',
      `${topic}[${partition}]: fetch position ${firstOffset} is behind the committed offset ${committed}; another member processed it, rejoining`,
      { stage: options.stage },
    );
  }
  producers.markVerified(topic, partition);
}

async function restartable(error: Error, logger: Logger): Promise<boolean> {
  const restart = !(error instanceof SiemStreamError) || error.retriable || error.code === 'KAFKA_FENCED';
  logger.error({ err: error, restart }, 'consumer crashed');
  return restart;
}

/** Which assigned partitions have their stage state restored; without state hooks every partition is. */
class RestoredPartitions {
  private readonly restored = new Set<string>();
  restoring = 0;

  constructor(private readonly state: PartitionState | undefined) {}

  async ensure(topic: string, partition: number, fence: () => Promise<unknown>): Promise<void> {
    const key = `${topic}\u0000${partition}`;
    if (!this.state || this.restored.has(key)) return;
    this.restoring++;
    try {
      // the previous owner's open transaction must be aborted first, or a read_committed restore waits for it
      await fence();
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

  retain(assigned: Array<{ topic: string; partition: number }>): void {
    const keep = new Set(assigned.map((a) => `${a.topic}\u0000${a.partition}`));
    for (const key of [...this.restored]) {
      if (keep.has(key)) continue;
      const [topic = '', partition = '0'] = key.split('\u0000');
      this.discard(topic, Number(partition));
    }
  }
}
