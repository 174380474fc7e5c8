import type { Kafka } from '../kafka/client.js';
import { kafkaSettingsOf } from '../kafka/rdkafka.js';
import { readPartitionToEnd } from '../kafka/read-partition.js';

export interface OffsetRef {
  topic: string;
  partition: number;
  offset: bigint;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Thrown from inside the reader once the record is found; never leaves timestampsAt. */
class Found extends Error {
  constructor(readonly timestamp: number) {
    super('found');
  }
}

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
      try {
        // the reader starts at the log start: the records below the offset are passed over
        await readPartitionToEnd(
          settings,
          r.topic,
          r.partition,
          (message) => {
            if (BigInt(message.offset) >= r.offset) throw new Found(Number(message.timestamp));
          },
          { readUncommitted: true, timeoutMs },
        );
        found.set(key(r.topic, r.partition), null);
      } catch (error) {
        if (error instanceof Found) found.set(key(r.topic, r.partition), error.timestamp);
        // otherwise (not read to the offset in time, unreachable): unknown, absent from the result
      }
    }),
  );
  return found;
}

export function timestampOf(map: Map<string, number | null>, topic: string, partition: number): number | null | undefined {
  return map.get(key(topic, partition));
}
