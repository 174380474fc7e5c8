import type { Kafka } from '../kafka/client.js';
import type { ConsumedMessage } from '../kafka/message.js';
import { scanPartitions } from '../kafka/read-topic.js';

/** Return false to stop the scan early. */
export type Visit = (partition: number, message: ConsumedMessage) => boolean | undefined;

/** Thrown from inside the reader to end it early; never leaves scanTopic. */
class ScanStopped extends Error {}

/**
 * Streams a topic from the log start to its end at call time (read_committed) through `visit`,
 * one record at a time, so a caller that keeps only what it needs uses bounded memory — unlike
 * kafka/read-topic.ts's readAll, which returns everything. The reading is kafka/read-topic.ts's
 * scanPartitions (partition after partition, each in offset order); this only adds the early stop.
 * `timeoutMs` bounds the read of each partition.
 */
export async function scanTopic(kafka: Kafka, topic: string, visit: Visit, timeoutMs = 120_000): Promise<void> {
  try {
    await scanPartitions(
      kafka,
      topic,
      (partition, message) => {
        if (visit(partition, message) === false) throw new ScanStopped();
      },
      { timeoutMs },
    );
  } catch (error) {
    if (!(error instanceof ScanStopped)) throw error;
  }
}
