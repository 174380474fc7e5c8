import type { Codec } from '../config/compression.js';
import { recordsOut, transactions } from '../observability/metrics.js';
import type { Message, Producer } from './client.js';
import { type CompressionOf, clientCompression } from './compression.js';
import { countDeadLetters } from './dlq.js';
import { faultPoint } from './fault-injection.js';
import { classifyKafkaError } from './kafka-errors.js';

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
  consumed?: ConsumedOffset | undefined;
  /** the exactly-once tests' fault point (fault-injection.ts) applies to transactions that carry work */
  faultPoint?: boolean;
}

export interface TransactionOptions {
  stage: string;
  compressionOf?: CompressionOf;
  /** topics whose records are state (changelogs, progress), not counted as stage output */
  stateTopics?: ReadonlySet<string>;
}

/**
 * The one way a stage commits: its records, grouped by topic and codec, and the consumed offset,
 * in one Kafka transaction; any failure aborts it and throws the classified error. Outputs and
 * dead letters are counted only once the commit succeeded.
 */
export async function commitTransaction(producer: Producer, content: TransactionContent, options: TransactionOptions): Promise<void> {
  const { stage } = options;
  const transaction = await producer.transaction().catch((error: unknown) => {
    throw classifyKafkaError(error, stage);
  });
  try {
    // one request per codec: kafkajs compresses a whole request with one codec
    for (const [codec, topicMessages] of groupByCodec(content.records, options.compressionOf ?? (() => 'none'))) {
      await transaction.sendBatch({ topicMessages, compression: clientCompression(codec) });
    }
    if (content.consumed) {
      const { groupId, topic, partition, nextOffset } = content.consumed;
      await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }] });
    }
    if (content.faultPoint) faultPoint('before-commit');
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    transactions.inc({ stage, result: 'abort' });
    throw classifyKafkaError(error, stage);
  }
  transactions.inc({ stage, result: 'commit' });
  countOutputs(content.records, stage, options.stateTopics);
}

function countOutputs(records: OutputRecord[], stage: string, stateTopics: ReadonlySet<string> | undefined): void {
  const byTopic = new Map<string, number>();
  for (const { topic } of records) if (!stateTopics?.has(topic)) byTopic.set(topic, (byTopic.get(topic) ?? 0) + 1);
  for (const [destination, count] of byTopic) recordsOut.inc({ stage, destination }, count);
  countDeadLetters(records, stage);
}

function groupByCodec(records: OutputRecord[], compressionOf: CompressionOf) {
  const groups = new Map<Codec, Map<string, Message[]>>();
  for (const { topic, ...message } of records) {
    const codec = compressionOf(topic);
    const byTopic = groups.get(codec) ?? new Map<string, Message[]>();
    groups.set(codec, byTopic);
    const list = byTopic.get(topic) ?? [];
    list.push(message);
    byTopic.set(topic, list);
  }
  return [...groups].map(([codec, byTopic]) => [codec, [...byTopic].map(([topic, messages]) => ({ topic, messages }))] as const);
}
