import type { Message } from '../../kafka/client.js';
import { rawRecordKey } from '../../schemas/raw-record.js';
import type { Framing } from './config.js';

/**
 * One object to ingest, as discovery (polling, SQS, re-ingest) puts it on the work topic. The
 * key is the object (`bucket/key`), so every version of one key lands in one work partition and
 * is read by that partition's owner only, one after another.
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
}

export function workMessage(item: WorkItem): Message {
  return { key: rawRecordKey(item.bucket, item.key), value: JSON.stringify(item) };
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
