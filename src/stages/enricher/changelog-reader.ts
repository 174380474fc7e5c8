import { randomUUID } from 'node:crypto';
import { SiemStreamError } from '../../errors.js';
import type { Kafka } from '../../kafka/client.js';

/**
 * Reads one partition of a changelog from its start to its end offset at call time with
 * read_committed, keeping each key's latest value (a tombstone removes the key). kafkajs has no
 * manual assignment, so a throw-away group subscribes and pauses every other partition.
 */
export async function readChangelogPartition(
  kafka: Kafka,
  topic: string,
  partition: number,
  timeoutMs = 120_000,
): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `siem-restore-${randomUUID()}`;
  // a short fetch wait: the reader stops at a known end offset, so waiting for more data only delays the restore
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxBytes: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  try {
    const offsets = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    if (!offsets || BigInt(offsets.high) <= BigInt(offsets.low)) return latest;
    const end = BigInt(offsets.high);
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new SiemStreamError('KAFKA_TRANSIENT', `restoring ${topic}[${partition}] did not reach offset ${end} within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.partition === partition && BigInt(payload.lastOffset) + 1n >= end) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end || message.key === null) continue;
          const key = message.key.toString();
          if (message.value === null) latest.delete(key);
          else latest.set(key, message.value.toString());
        }
      },
    });
    await done;
    return latest;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
