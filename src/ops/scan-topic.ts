import type { Kafka } from '../kafka/client.js';
import type { ConsumedMessage } from '../kafka/message.js';
import { scanPartitions } from '../kafka/read-topic.js';

/** Return false to stop the scan early. */
export type Visit = (partition: number, message: ConsumedMessage) => boolean | undefined;

/**
 * Streams a topic from the log start to its end at call time (read_committed) through `visit`,
 * one record at a time, so a caller that keeps only what it needs uses bounded memory — unlike
 * kafka/read-topic.ts's readAll, which returns everything. `visit` returning false ends the scan.
 * `timeoutMs` bounds the read of each partition.
 */
export async function scanTopic(kafka: Kafka, topic: string, visit: Visit, timeoutMs = 120_000): Promise<void> {
  await scanPartitions(kafka, topic, visit, { timeoutMs });
}
