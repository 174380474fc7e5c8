import type { TopicNames } from '../../config/topics.js';
import type { KafkaMessage, Message, Producer, ProducerConfig } from '../../kafka/client.js';
import type { CompressionOf } from '../../kafka/compression.js';
import { commitTransaction, kafkajsTransactions, type OutputRecord } from '../../kafka/transaction.js';
import { batchDuration } from '../../observability/metrics.js';
import { type SourceState, stateMessage } from './progress-store.js';

/**
 * Right after a commit the coordinator answers the next AddPartitionsToTxn with
 * CONCURRENT_TRANSACTIONS until its markers are written (a few ms). kafkajs retries that with the
 * client's backoff, 300 ms by default; a source that commits many small transactions in a row
 * retries after 5 ms instead (Kafka's Java client uses 20 ms for this error).
 */
export const SOURCE_PRODUCER_CONFIG: ProducerConfig = {
  retry: { initialRetryTime: 5, maxRetryTime: 5_000, retries: Number.MAX_SAFE_INTEGER },
};

/** What one source transaction writes: records by topic, state records, and optionally a consumed work record. */
export interface SourceTransaction {
  messages?: Map<string, Message[]>;
  progress: SourceState[];
  consumed?: { groupId: string; topic: string; partition: number; message: KafkaMessage };
  /** the fault-injection point of exactly-once tests applies to transactions that carry records */
  faultPoint?: boolean;
}

/** Commit records and the state that covers them atomically; on any failure abort and throw the classified error. */
export async function commitSourceTransaction(
  producer: Producer,
  tx: SourceTransaction,
  names: TopicNames,
  stage: string,
  compressionOf: CompressionOf = () => 'none',
): Promise<void> {
  const timer = batchDuration.startTimer({ stage });
  const records: OutputRecord[] = [...(tx.messages ?? new Map<string, Message[]>())].flatMap(([topic, messages]) =>
    messages.map((message) => ({ topic, ...message })),
  );
  for (const state of tx.progress) records.push({ topic: names.sourceOffsets, ...stateMessage(state) });
  const consumed = tx.consumed && {
    groupId: tx.consumed.groupId,
    topic: tx.consumed.topic,
    partition: tx.consumed.partition,
    nextOffset: (BigInt(tx.consumed.message.offset) + 1n).toString(),
  };
  await commitTransaction(
    kafkajsTransactions(producer, compressionOf),
    { records, consumed, faultPoint: tx.faultPoint === true },
    { stage, stateTopics: new Set([names.sourceOffsets]) },
  );
  timer();
}
