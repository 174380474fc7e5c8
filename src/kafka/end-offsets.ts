import type { Kafka } from './client.js';
import { connectAdmin, RdIsolationLevel } from './rdkafka.js';

export interface StableOffsets {
  topic: string;
  partition: number;
  /** last stable offset: where read_committed readers stop (the first open transaction) */
  lso: bigint;
  /** high watermark: where read_uncommitted readers stop */
  hw: bigint;
}

/** Both end offsets of every partition; a hanging transaction shows as LSO < HW. */
export async function stableOffsets(kafka: Kafka, topics: string[]): Promise<StableOffsets[]> {
  const admin = await connectAdmin(kafka);
  try {
    const rows: StableOffsets[] = [];
    for (const topic of topics) {
      const committed = await admin.fetchTopicOffsets(topic, { isolationLevel: RdIsolationLevel.READ_COMMITTED });
      const uncommitted = await admin.fetchTopicOffsets(topic, { isolationLevel: RdIsolationLevel.READ_UNCOMMITTED });
      const hwOf = new Map(uncommitted.map((p) => [p.partition, BigInt(p.high)]));
      for (const p of committed) rows.push({ topic, partition: p.partition, lso: BigInt(p.high), hw: hwOf.get(p.partition) ?? -1n });
    }
    return rows;
  } finally {
    await admin.disconnect();
  }
}
