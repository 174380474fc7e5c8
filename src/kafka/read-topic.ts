import type { Kafka } from './client.js';
import type { ConsumedMessage } from './message.js';
import { connectAdmin, kafkaSettingsOf, RdIsolationLevel } from './rdkafka.js';
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

export interface PartitionRange {
  partition: number;
  /** the first offset to read */
  from: bigint;
  /** the high watermark at call time */
  end: bigint;
}

/**
 * Each partition's offsets to read, in partition order: from the log start, or from the first
 * record with a timestamp at or after `fromTimestampMs`, to the high watermark now.
 */
export async function partitionRanges(kafka: Kafka, topic: string, fromTimestampMs?: number): Promise<PartitionRange[]> {
  const admin = await connectAdmin(kafka);
  try {
    const uncommitted = { isolationLevel: RdIsolationLevel.READ_UNCOMMITTED };
    const ends = await admin.fetchTopicOffsets(topic, uncommitted);
    const byTime =
      fromTimestampMs === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, fromTimestampMs, uncommitted);
    return ends
      .map(({ partition, high, low }) => {
        const at = byTime?.find((o) => o.partition === partition)?.offset;
        return { partition, from: BigInt(at ?? low), end: BigInt(high) };
      })
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/** Every partition of a topic through `onMessage`, partition by partition, each in offset order. */
export async function scanPartitions(
  kafka: Kafka,
  topic: string,
  onMessage: (partition: number, message: ConsumedMessage) => unknown,
  options: { timeoutMs?: number; readUncommitted?: boolean; throughOpenTransactions?: boolean } = {},
): Promise<void> {
  const settings = kafkaSettingsOf(kafka);
  let stopped = false;
  for (const { partition, from, end } of await partitionRanges(kafka, topic)) {
    if (stopped) return;
    if (end <= from) continue;
    const visit = (message: ConsumedMessage) => {
      stopped = onMessage(partition, message) === false;
      return !stopped;
    };
    await readPartitionToEnd(settings, topic, partition, visit, {
      ...(options.readUncommitted ? { readUncommitted: true } : {}),
      ...(options.throughOpenTransactions ? { until: end } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
}
