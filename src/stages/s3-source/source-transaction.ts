import type { TopicNames } from '../../config/topics.js';
import type { Message } from '../../kafka/message.js';
import { type ConsumedOffset, commitTransaction, type OutputRecord, type TransactionalProducer } from '../../kafka/transaction.js';
import { batchDuration } from '../../observability/metrics.js';
import { type SourceState, stateMessage } from './progress-store.js';

/**
 * Right after a commit the coordinator answers the next AddPartitionsToTxn with
 * CONCURRENT_TRANSACTIONS until its markers are written (a few ms); a producer that commits many
 * small transactions in a row retries that after 5 ms (Kafka's Java client uses 20 ms).
 */
export const SOURCE_PRODUCER_CONFIG = { 'retry.backoff.ms': 5, 'retry.backoff.max.ms': 1_000 } as const;

/** What one source transaction writes: records by topic, state records, and optionally the work position. */
export interface SourceTransaction {
  messages?: Map<string, Message[]>;
  progress: SourceState[];
  /** the progress topic's partition for the state records: an object's progress lives on its work record's partition */
  progressPartition?: number;
  /** the work consumer's position: its work record while the object is being read, one past it once it is done */
  consumed?: ConsumedOffset;
  /** the fault-injection point of exactly-once tests applies to transactions that carry records */
  faultPoint?: boolean;
}

/** Commit records and the state that covers them atomically; on any failure abort and throw the classified error. */
export async function commitSourceTransaction(
  producer: TransactionalProducer,
  tx: SourceTransaction,
  names: TopicNames,
  stage: string,
): Promise<void> {
  const timer = batchDuration.startTimer({ stage });
  const records: OutputRecord[] = [...(tx.messages ?? new Map<string, Message[]>())].flatMap(([topic, messages]) =>
    messages.map((message) => ({ topic, ...message })),
  );
  for (const state of tx.progress) {
    const message = stateMessage(state);
    records.push({
      topic: names.sourceOffsets,
      ...message,
      ...(tx.progressPartition === undefined ? {} : { partition: tx.progressPartition }),
    });
  }
  await commitTransaction(
    producer,
    { records, consumed: tx.consumed, faultPoint: tx.faultPoint === true },
    { stage, stateTopics: new Set([names.sourceOffsets]) },
  );
  timer();
}
