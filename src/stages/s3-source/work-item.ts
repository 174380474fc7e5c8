import type { Message } from '../../kafka/client.js';
import { rawRecordKey } from '../../schemas/raw-record.js';
import { sourceStreamOf } from '../../schemas/source-stream.js';
import type { Framing, ReadOrder } from './config.js';

/**
 * One object to ingest, as discovery (polling, SQS, re-ingest) puts it on the work topic. Its
 * partition key (partitionKeyOf) is a function of the object's key, so every version of one key
 * lands in one work partition and is read by that partition's owner only, one after another.
 */
export interface WorkItem {
  bucket: string;
  key: string;
  etag: string;
  logType: string;
  framing: Framing;
  size?: number;
  lastModified?: string;
  via: 'poll' | 'sqs' | 'reingest';
  /** set by `s3 reingest`: the object is read again even if it was ingested before */
  reingestId?: string;
  discoveredAt: string;
  /** the Kafka key of its work record and of its raw records; absent in work written before it existed */
  partitionKey?: string;
}

/**
 * `stream`: the object's source stream (source-stream.ts), so one stream's objects are read one
 * after another in discovery (key) order and their records share a raw partition: event time
 * replays in order downstream. `object`: the object itself, spread over partitions for parallelism.
 */
export function partitionKeyOf(item: Pick<WorkItem, 'bucket' | 'key' | 'logType'>, order: ReadOrder): string {
  return order === 'stream' ? `${item.bucket}|${sourceStreamOf(item.logType, item.key)}` : rawRecordKey(item.bucket, item.key);
}

export function workMessage(item: WorkItem, order: ReadOrder): Message {
  const partitionKey = partitionKeyOf(item, order);
  return { key: partitionKey, value: JSON.stringify({ ...item, partitionKey }) };
}

export function parseWorkItem(value: Buffer | null): WorkItem | undefined {
  if (value === null) return undefined;
  try {
    const item = JSON.parse(value.toString()) as WorkItem;
    return typeof item.bucket === 'string' && typeof item.key === 'string' && typeof item.etag === 'string' ? item : undefined;
  } catch {
    return undefined;
  }
}

/** S3 quotes ETags in listings and responses and not in event notifications; we keep them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replaceAll('"', '');
}
