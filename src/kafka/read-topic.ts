import type { Kafka } from './client.js';
import type { ConsumedMessage } from './message.js';
import { kafkaSettingsOf, RdIsolationLevel } from './rdkafka.js';
import { readPartitionToEnd } from './read-partition.js';

export interface TopicRecord {
  partition: number;
  message: ConsumedMessage;
}

/**
 * Reads a whole topic, from the log start to its end at call time, by default with
 * read_committed (aborted records are skipped; the read stops at the last stable offset).
 */
export async function readAll(
  kafka: Kafka,
  topic: string,
  options: {
    timeoutMs?: number;
    readUncommitted?: boolean;
    /**
     * read to the high watermark instead of the last stable offset: waits for the transactions
     * open at call time to complete, so a transaction that already returned from commit but whose
     * markers are still being written is included (state restores need that; see exactly-once.md)
     */
    throughOpenTransactions?: boolean;
  } = {},
): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  await scanPartitions(
    kafka,
    topic,
    (partition, message) => {
      records.push({ partition, message });
    },
    options,
  );
  return records;
}

/** Every partition of a topic through `onMessage`, partition by partition, each in offset order. */
export async function scanPartitions(
  kafka: Kafka,
  topic: string,
  onMessage: (partition: number, message: ConsumedMessage) => unknown,
  options: { timeoutMs?: number; readUncommitted?: boolean; throughOpenTransactions?: boolean } = {},
): Promise<void> {
  const settings = kafkaSettingsOf(kafka);
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; high: string; low: string }>;
  try {
    ends = await admin.fetchTopicOffsets(topic, { isolationLevel: RdIsolationLevel.READ_UNCOMMITTED });
  } finally {
    await admin.disconnect();
  }
  let stopped = false;
  for (const { partition, high, low } of ends.sort((a, b) => a.partition - b.partition)) {
    if (stopped) return;
    if (BigInt(high) <= BigInt(low)) continue;
    const visit = (message: ConsumedMessage) => {
      stopped = onMessage(partition, message) === false;
      return !stopped;
    };
    await readPartitionToEnd(settings, topic, partition, visit, {
      ...(options.readUncommitted ? { readUncommitted: true } : {}),
      ...(options.throughOpenTransactions ? { until: BigInt(high) } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
}
