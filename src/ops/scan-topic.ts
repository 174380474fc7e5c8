import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from '../kafka/client.js';

/** Return false to stop the scan early. */
export type Visit = (partition: number, message: KafkaMessage) => boolean | undefined;

/**
 * Streams a topic from the log start to the end offsets at call time (read_committed) through
 * `visit`, one record at a time, so a caller that keeps only what it needs uses bounded memory —
 * unlike kafka/read-topic.ts's readAll, which returns everything. A throw-away group, deleted afterwards.
 */
export async function scanTopic(kafka: Kafka, topic: string, visit: Visit, timeoutMs = 120_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `siem-scan-${randomUUID()}`;
  // a short fetch wait: the scan ends on an empty fetch at the end of each partition
  const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    const pending = new Set(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => o.partition));
    if (pending.size === 0) return;
    let finish: (error?: Error) => void = () => undefined;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (error) => (error ? reject(error) : resolve());
    });
    const timer = setTimeout(() => finish(new Error(`scanning ${topic} did not reach its end within ${timeoutMs} ms`)), timeoutMs);
    let stopped = false;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (BigInt(payload.lastOffset) + 1n >= (ends.get(payload.partition) ?? 0n)) pending.delete(payload.partition);
      if (pending.size === 0) finish();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, pause, resolveOffset }) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const message of batch.messages) {
          if (stopped) return;
          if (BigInt(message.offset) >= end) {
            pause();
            return;
          }
          // an unresolved offset is fetched again: without this a topic longer than one fetch is visited over and over
          resolveOffset(message.offset);
          if (visit(batch.partition, message) === false) {
            stopped = true;
            finish();
            return;
          }
        }
      },
    });
    await finished.finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
