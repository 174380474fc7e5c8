import { randomUUID } from 'node:crypto';
import { topicOffsets } from './admin.js';
import type { Admin, Kafka, KafkaMessage } from './client.js';
import { stableOffsets } from './end-offsets.js';

export interface TopicRecord {
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads a whole topic, from the log start to the end offsets at call time, by default with
 * read_committed (aborted records are skipped; open transactions hold the reader back until they end).
 * Uses a throw-away consumer group that is deleted afterwards.
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
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `siem-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: options.readUncommitted ?? false, allowAutoTopicCreation: false });
  const records: TopicRecord[] = [];
  try {
    const ends = options.throughOpenTransactions ? await highWatermarks(kafka, admin, topic) : await topicOffsets(admin, topic);
    const pending = new Set(ends.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => o.partition));
    if (pending.size === 0) return records;
    const caughtUp = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} did not reach its end within ${options.timeoutMs ?? 60_000} ms`)),
        options.timeoutMs ?? 60_000,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const end = ends.find((e) => e.partition === payload.partition);
        if (end && BigInt(payload.lastOffset) + 1n >= BigInt(end.high)) pending.delete(payload.partition);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = ends.find((e) => e.partition === partition);
        if (end && BigInt(message.offset) < BigInt(end.high)) records.push({ partition, message });
      },
    });
    await caughtUp;
    return records;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function highWatermarks(kafka: Kafka, admin: Admin, topic: string) {
  const low = await topicOffsets(admin, topic);
  const high = new Map((await stableOffsets(kafka, [topic])).map((o) => [o.partition, o.hw.toString()]));
  return low.map((o) => ({ ...o, high: high.get(o.partition) ?? o.high }));
}
