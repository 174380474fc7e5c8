import type { Kafka } from '../../kafka/client.js';
import { kafkaSettingsOf } from '../../kafka/rdkafka.js';
import { readPartitionToEnd } from '../../kafka/read-partition.js';

/**
 * One partition of a changelog, from its start to its end as a read_committed reader sees it now,
 * keeping each key's latest value (a tombstone removes the key).
 */
export async function readChangelogPartition(
  kafka: Kafka,
  topic: string,
  partition: number,
  timeoutMs = 120_000,
): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  await readPartitionToEnd(
    kafkaSettingsOf(kafka),
    topic,
    partition,
    (message) => {
      if (message.key === null) return;
      const key = message.key.toString();
      if (message.value === null) latest.delete(key);
      else latest.set(key, message.value.toString());
    },
    { timeoutMs },
  );
  return latest;
}
