import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { topicOffsets } from './admin.js';

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
  options: { timeoutMs?: number; readUncommitted?: boolean } = {},
): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `siem-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: options.readUncommitted ?? false, allowAutoTopicCreation: false });
  const records: TopicRecord[] = [];
  try {
    const ends = await topicOffsets(admin, topic);
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
