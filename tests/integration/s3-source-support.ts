import { readFileSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Kafka } from '../../src/kafka/client.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll, scanPartitions } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import type { ObjectProgress, SourceState } from '../../src/stages/s3-source/progress-store.js';

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function put(s3: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Latest committed progress of every object version. */
export async function objectProgress(kafka: Kafka, topic: string): Promise<ObjectProgress[]> {
  const latest = new Map<string, SourceState>();
  for (const { message } of await readAll(kafka, topic)) {
    if (message.key && message.value) latest.set(message.key.toString(), JSON.parse(message.value.toString()) as SourceState);
  }
  return [...latest.values()].filter((s): s is ObjectProgress => s.kind === 'object');
}

export interface RecordCount {
  /** per object key: how often each record number was seen */
  perObject: Map<string, Map<number, number>>;
  total: number;
  duplicates: number;
}

/**
 * Reads topics to their end (read_committed unless told otherwise) keeping only (object, record
 * number) counts, so half a million records cost a few megabytes in the test process.
 */
export async function countRecords(kafka: Kafka, topics: string[], readUncommitted = false): Promise<RecordCount> {
  const count: RecordCount = { perObject: new Map(), total: 0, duplicates: 0 };
  for (const topic of topics) {
    await scanPartitions(
      kafka,
      topic,
      (_partition, message) => {
        const headers = readHeaders(message.headers);
        const object = headers[RAW_HEADER.key] as string;
        const n = Number(headers[RAW_HEADER.recordNumber]);
        const seen = count.perObject.get(object) ?? new Map<number, number>();
        count.perObject.set(object, seen);
        const before = seen.get(n) ?? 0;
        if (before > 0) count.duplicates++;
        seen.set(n, before + 1);
        count.total++;
      },
      { readUncommitted, timeoutMs: 180_000 },
    );
  }
  return count;
}

export function logTail(file: string, chars = 3_000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

export function peakRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Deterministic pseudo-random numbers, so a failing kill schedule can be replayed. */
export { mulberry32 } from '../../src/util/seeded-random.js';
