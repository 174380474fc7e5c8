import { SiemStreamError } from '../errors.js';
import type { Kafka } from '../kafka/client.js';
import { fetchGroupOffsets } from '../kafka/protocol/index.js';
import { kafkaSettingsOf } from '../kafka/rdkafka.js';

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
 * meanwhile keeps its position and this fails (librdkafka reports the refused commit as done: the
 * offsets read back afterwards tell). Replay and the tests use it.
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
  const topics = [...new Set(wanted.map((o) => o.topic))];
  // not librdkafka's fetchOffsets, which crashes the process on NOT_COORDINATOR: see fetchGroupOffsets
  const after = await fetchGroupOffsets(kafkaSettingsOf(kafka), groupId, topics);
  const missed = wanted.flatMap((o) => {
    const got = after.find((t) => t.topic === o.topic)?.partitions.find((p) => p.partition === o.partition)?.offset;
    return got?.toString() === o.offset
      ? []
      : [`${o.topic}:${o.partition} is at ${got === undefined || got < 0n ? 'no offset' : got}, not ${o.offset}`];
  });
  // librdkafka reports a commit the broker refused (the group has members) as done: only the read-back tells
  if (missed.length > 0)
    throw new SiemStreamError(
      'OPERATION_REFUSED',
      `consumer group ${groupId} did not take the offsets (${missed.join('; ')}): a live member joined it? Stop every instance of the stage first`,
    );
}
