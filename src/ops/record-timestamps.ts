import { randomUUID } from 'node:crypto';
import type { Kafka } from '../kafka/client.js';

export interface OffsetRef {
  topic: string;
  partition: number;
  offset: bigint;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * The timestamp (ms) of the first record at or after each given offset. kafkajs cannot assign
 * partitions by hand, so a throw-away group subscribes, seeks each partition to its offset, takes
 * the first record it sees there and pauses the partition; the group is deleted afterwards.
 * Reads uncommitted, so an open transaction does not hide the record's age.
 * `null` means the partition holds no record from that offset to its end — only transaction
 * markers, which a group committing after a transactional producer's batch always has left
 * ahead of it. A partition not answered within the timeout is absent from the result.
 */
export async function timestampsAt(kafka: Kafka, refs: OffsetRef[], timeoutMs = 10_000): Promise<Map<string, number | null>> {
  const found = new Map<string, number | null>();
  if (refs.length === 0) return found;
  const wanted = new Map(refs.map((r) => [key(r.topic, r.partition), r.offset]));
  const groupId = `siem-lag-peek-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: true,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: 64 * 1024,
  });
  const admin = kafka.admin();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(refs.map((r) => r.topic))], fromBeginning: true });
    let done: () => void = () => undefined;
    const complete = new Promise<void>((resolve) => {
      done = resolve;
    });
    const settle = (k: string, value: number | null) => {
      found.set(k, value);
      if (found.size === wanted.size) done();
    };
    // a batch of only transaction markers reaches eachBatch empty-handed; this event still sees it
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const k = key(payload.topic, payload.partition);
      if (wanted.has(k) && !found.has(k) && BigInt(payload.lastOffset) + 1n >= BigInt(payload.highWatermark)) settle(k, null);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, pause }) => {
        const k = key(batch.topic, batch.partition);
        const target = wanted.get(k);
        if (target === undefined || found.has(k)) {
          pause();
          return;
        }
        // the first fetch may start before the seek took effect: skip what lies below the target
        const first = batch.messages.find((m) => BigInt(m.offset) >= target);
        if (!first) return;
        pause();
        settle(k, Number(first.timestamp));
      },
    });
    for (const r of refs) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.offset.toString() });
    await Promise.race([complete, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    return found;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

export function timestampOf(map: Map<string, number | null>, topic: string, partition: number): number | null | undefined {
  return map.get(key(topic, partition));
}
