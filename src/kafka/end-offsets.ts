import type { Kafka } from './client.js';

export interface StableOffsets {
  topic: string;
  partition: number;
  /** last stable offset: where read_committed readers stop (the first open transaction) */
  lso: bigint;
  /** high watermark: where read_uncommitted readers stop */
  hw: bigint;
}

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; fromBeginning: boolean; partitions: Array<{ partition: number }> }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/**
 * Both end offsets of every partition. kafkajs' admin asks ListOffsets with read_committed only
 * (so it sees the LSO, never the high watermark); a hanging transaction shows as LSO < HW. The
 * isolation level is a property of kafkajs' internal cluster object, which its Kafka instance
 * builds through a private factory: used here, for this check only.
 */
export async function stableOffsets(kafka: Kafka, topics: string[]): Promise<StableOffsets[]> {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!factory) throw new Error('kafkajs internals changed: no private cluster factory (kafkajs 2.2.x expected)');
  const create = (kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[factory] as (o: object) => InternalCluster;
  const read = async (isolationLevel: number) => {
    const cluster = create.call(kafka, { allowAutoTopicCreation: false, isolationLevel });
    await cluster.connect();
    try {
      await cluster.addMultipleTargetTopics(topics);
      return await cluster.fetchTopicsOffset(
        topics.map((topic) => ({
          topic,
          fromBeginning: false,
          partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })),
        })),
      );
    } finally {
      await cluster.disconnect();
    }
  };
  const [committed, uncommitted] = [await read(READ_COMMITTED), await read(READ_UNCOMMITTED)];
  const hwOf = new Map(uncommitted.flatMap((t) => t.partitions.map((p) => [`${t.topic}#${p.partition}`, BigInt(p.offset)] as const)));
  return committed.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.topic,
      partition: p.partition,
      lso: BigInt(p.offset),
      hw: hwOf.get(`${t.topic}#${p.partition}`) ?? -1n,
    })),
  );
}
