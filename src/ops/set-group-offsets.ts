import { SiemStreamError } from '../errors.js';
import type { Kafka } from '../kafka/client.js';

export interface GroupOffset {
  topic: string;
  partition: number;
  /** the next offset the group reads */
  offset: bigint | string;
}

/**
 * Commits offsets for a consumer group that has no live members, and reads them back. The commit
 * comes from outside the group (a consumer of that group id that never joins: librdkafka sends
 * generation -1), which the broker accepts only while the group is empty, so a member that joins
 * meanwhile makes this fail rather than have its position overwritten. Replay and the tests use it.
 */
export async function setGroupOffsets(kafka: Kafka, groupId: string, offsets: GroupOffset[]): Promise<void> {
  if (offsets.length === 0) return;
  const wanted = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() }));
  const consumer = kafka.consumer({ kafkaJS: { groupId, autoCommit: false, allowAutoTopicCreation: false } });
  await consumer.connect();
  try {
    await consumer.commitOffsets(wanted);
  } catch (error) {
    throw new SiemStreamError(
      'OPERATION_REFUSED',
      `consumer group ${groupId} refused the offsets (a live member joined it?): ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await consumer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = [...new Set(wanted.map((o) => o.topic))];
    const after = await admin.fetchOffsets({ groupId, topics });
    for (const o of wanted) {
      const got = after.find((t) => t.topic === o.topic)?.partitions.find((p) => p.partition === o.partition)?.offset;
      if (got !== o.offset)
        throw new SiemStreamError(
          'OPERATION_REFUSED',
          `${groupId} ${o.topic}:${o.partition} is at ${got} after the commit, expected ${o.offset}`,
        );
    }
  } finally {
    await admin.disconnect();
  }
}
