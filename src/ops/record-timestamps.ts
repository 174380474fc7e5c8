import type { Kafka } from '../kafka/client.js';
import { kafkaSettingsOf } from '../kafka/rdkafka.js';
import { readPartitionToEnd } from '../kafka/read-partition.js';

export interface OffsetRef {
  topic: string;
  partition: number;
  offset: bigint;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * The timestamp (ms) of the first record at or after each given offset, through the one reader
 * (kafka/read-partition.ts), partitions side by side. Reads uncommitted, so an open transaction
 * does not hide the record's age.
 * `null` means the partition holds no record from that offset to its end — only transaction
 * markers, which a group committing after a transactional producer's batch always has left
 * ahead of it. A partition not answered within the timeout is absent from the result.
 */
export async function timestampsAt(kafka: Kafka, refs: OffsetRef[], timeoutMs = 10_000): Promise<Map<string, number | null>> {
  const found = new Map<string, number | null>();
  if (refs.length === 0) return found;
  const settings = kafkaSettingsOf(kafka);
  await Promise.all(
    refs.map(async (r) => {
      let timestamp: number | null = null;
      try {
        await readPartitionToEnd(
          settings,
          r.topic,
          r.partition,
          (message) => {
            timestamp = Number(message.timestamp);
            return false;
          },
          { readUncommitted: true, timeoutMs, from: r.offset },
        );
        found.set(key(r.topic, r.partition), timestamp);
      } catch {
        // not read to the offset in time, or unreachable: unknown, absent from the result
      }
    }),
  );
  return found;
}

export function timestampOf(map: Map<string, number | null>, topic: string, partition: number): number | null | undefined {
  return map.get(key(topic, partition));
}
