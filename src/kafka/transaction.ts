import { SiemStreamError } from '../errors.js';
import { recordsOut, transactions } from '../observability/metrics.js';
import { countDeadLetters } from './dlq.js';
import { faultPoint } from './fault-injection.js';
import type { Message } from './message.js';

/** One record a stage writes, with its topic. */
export interface OutputRecord extends Message {
  topic: string;
}

/** The consumed position a transaction commits with its records: the next offset to read. */
export interface ConsumedOffset {
  groupId: string;
  topic: string;
  partition: number;
  nextOffset: string;
}

export interface TransactionContent {
  records: OutputRecord[];
  /** one position, or one per partition (of one group) when chunks of several partitions commit together */
  consumed?: ConsumedOffset | ConsumedOffset[] | undefined;
  /** the exactly-once tests' fault point (fault-injection.ts) applies to transactions that carry work */
  faultPoint?: boolean;
}

export interface TransactionOptions {
  stage: string;
  /** topics whose records are state (changelogs, progress), not counted as stage output */
  stateTopics?: ReadonlySet<string>;
}

/** A transaction of the process's transactional producer. */
export interface OpenTransaction {
  /** hands the records to the producer; `delivered` (and commit) await their delivery (a failed one fails it) */
  write(records: OutputRecord[]): Promise<void>;
  delivered(): Promise<void>;
  sendOffsets(consumed: ConsumedOffset[]): Promise<void>;
  commit(): Promise<void>;
  /** throws when the transaction could not be aborted (the producer must then be replaced) */
  abort(): Promise<void>;
}

export interface TransactionalProducer {
  begin(): Promise<OpenTransaction>;
  classify(error: unknown, stage: string): SiemStreamError;
}

/**
 * The one way a stage commits: its records and the consumed offset in one Kafka transaction; any
 * failure aborts it and throws the classified error (KAFKA_FATAL when even the abort failed).
 * Outputs and dead letters are counted only once the commit succeeded.
 */
export async function commitTransaction(
  producer: TransactionalProducer,
  content: TransactionContent,
  options: TransactionOptions,
): Promise<void> {
  const { stage } = options;
  const transaction = await producer.begin().catch((error: unknown) => {
    throw producer.classify(error, stage);
  });
  try {
    await transaction.write(content.records);
    const consumed = content.consumed === undefined ? [] : [content.consumed].flat();
    if (consumed.length > 0) await transaction.sendOffsets(consumed);
    await transaction.delivered(); // the records are in the log now: what the fault point below interrupts
    if (content.faultPoint) faultPoint('before-commit');
    await transaction.commit();
  } catch (error) {
    transactions.inc({ stage, result: 'abort' });
    const classified = producer.classify(error, stage);
    await transaction.abort().catch((abortError: unknown) => {
      // fenced while it hung (the coordinator timed the transaction out, or a newer instance took the id): say so
      const code = producer.classify(abortError, stage).code === 'KAFKA_FENCED' ? 'KAFKA_FENCED' : 'KAFKA_FATAL';
      throw new SiemStreamError(code, `transaction could not be aborted after: ${classified.message}`, { stage, cause: abortError });
    });
    throw classified;
  }
  transactions.inc({ stage, result: 'commit' });
  countOutputs(content.records, stage, options.stateTopics);
}

/**
 * Group commit, for chunks of different partitions of one consumer group: a chunk that arrives
 * while a transaction is committing waits, and the next transaction carries every chunk that
 * waited — their records and each one's consumed offset. Under load one transaction carries a chunk
 * of each partition in hand (Kafka Streams commits all its tasks together the same way); alone, a
 * chunk commits at once. When the transaction fails, every chunk in it fails (and is read again).
 */
export function groupCommits(producer: TransactionalProducer, options: TransactionOptions): (content: TransactionContent) => Promise<void> {
  let waiting: Array<{ content: TransactionContent; settle: (error?: unknown) => void }> = [];
  let committing = false;
  const drain = async () => {
    committing = true;
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      const together: TransactionContent = {
        records: group.flatMap((g) => g.content.records),
        consumed: group.flatMap((g) => (g.content.consumed === undefined ? [] : [g.content.consumed].flat())),
        faultPoint: group.some((g) => g.content.faultPoint),
      };
      const failure = await commitTransaction(producer, together, options).then(
        () => undefined,
        (error: unknown) => error ?? new Error('transaction failed'),
      );
      for (const g of group) g.settle(failure);
    }
    committing = false;
  };
  return (content) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ content, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!committing) void drain();
    });
}

function countOutputs(records: OutputRecord[], stage: string, stateTopics: ReadonlySet<string> | undefined): void {
  const byTopic = new Map<string, number>();
  for (const { topic } of records) if (!stateTopics?.has(topic)) byTopic.set(topic, (byTopic.get(topic) ?? 0) + 1);
  for (const [destination, count] of byTopic) recordsOut.inc({ stage, destination }, count);
  countDeadLetters(records, stage);
}
