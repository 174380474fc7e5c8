import type { Kafka, Message } from 'kafkajs';
import { readAll } from '../../kafka/read-topic.js';

/** How far one S3 object has been emitted; the record that covers a chunk commits with it. */
export interface ObjectProgress {
  bucket: string;
  key: string;
  etag: string;
  logType: string;
  /** number of the next record to emit (records before it are in Kafka) */
  nextRecord: number;
  done: boolean;
  updatedAt: string;
}

export function progressMessage(progress: ObjectProgress): Message {
  return { key: `${progress.bucket}/${progress.key}`, value: JSON.stringify(progress) };
}

/**
 * The latest committed progress per object, from the compacted progress topic. Call it after
 * the source's transactional producer has been initialised: that aborts a previous instance's
 * open transaction first, so what is read here is final.
 */
export async function loadProgress(kafka: Kafka, topic: string): Promise<Map<string, ObjectProgress>> {
  const progress = new Map<string, ObjectProgress>();
  const records = await readAll(kafka, topic);
  for (const { message } of records) {
    if (message.key === null) continue;
    if (message.value === null) progress.delete(message.key.toString());
    else progress.set(message.key.toString(), JSON.parse(message.value.toString()) as ObjectProgress);
  }
  return progress;
}
