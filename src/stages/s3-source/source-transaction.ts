import type { KafkaMessage, Message, Producer, ProducerConfig } from 'kafkajs';
import type { Codec } from '../../config/compression.js';
import type { TopicNames } from '../../config/topics.js';
import { type CompressionOf, clientCompression } from '../../kafka/compression.js';
import { faultPoint } from '../../kafka/fault-injection.js';
import { classifyKafkaError } from '../../kafka/kafka-errors.js';
import { batchDuration, recordsOut, transactions } from '../../observability/metrics.js';
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
  const topicMessages = [...(tx.messages ?? new Map<string, Message[]>())]
    .filter(([, messages]) => messages.length > 0)
    .map(([topic, messages]) => ({ topic, messages }));
  if (tx.progress.length > 0) topicMessages.push({ topic: names.sourceOffsets, messages: tx.progress.map(stateMessage) });
  const transaction = await producer.transaction().catch((error: unknown) => {
    throw classifyKafkaError(error, stage);
  });
  try {
    // one request per codec: kafkajs compresses a whole request with one codec
    for (const [codec, group] of byCodec(topicMessages, compressionOf)) {
      await transaction.sendBatch({ topicMessages: group, compression: clientCompression(codec) });
    }
    if (tx.consumed) {
      const { groupId, topic, partition, message } = tx.consumed;
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
      });
    }
    if (tx.faultPoint) faultPoint('before-commit');
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    transactions.inc({ stage, result: 'abort' });
    throw classifyKafkaError(error, stage);
  }
  timer();
  transactions.inc({ stage, result: 'commit' });
  for (const { topic, messages } of topicMessages)
    if (topic !== names.sourceOffsets) recordsOut.inc({ stage, destination: topic }, messages.length);
}

function byCodec<T extends { topic: string }>(topicMessages: T[], compressionOf: CompressionOf): Map<Codec, T[]> {
  const groups = new Map<Codec, T[]>();
  for (const entry of topicMessages) {
    const codec = compressionOf(entry.topic);
    groups.set(codec, [...(groups.get(codec) ?? []), entry]);
  }
  return groups;
}
