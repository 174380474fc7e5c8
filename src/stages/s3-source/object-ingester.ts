import type { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { KafkaMessage, Message, Producer } from 'kafkajs';
import type { TopicNames } from '../../config/topics.js';
import { SiemStreamError } from '../../errors.js';
import { dlqMessage, rejectedRecord } from '../../kafka/dlq.js';
import type { Logger } from '../../observability/logger.js';
import { dlqRecords } from '../../observability/metrics.js';
import { RAW_HEADER, rawRecordMessage } from '../../schemas/raw-record.js';
import type { S3SourceConfig } from './config.js';
import type { ObjectProgress } from './progress-store.js';
import { readRecords } from './record-reader.js';
import { classifyS3Failure, objectFailure, sourceUnavailable } from './s3-errors.js';
import { s3Bytes, s3Objects, s3Records } from './source-metrics.js';
import { commitSourceTransaction, type SourceTransaction } from './source-transaction.js';
import type { WorkItem } from './work-item.js';

const STAGE = 's3-source';
export const OVERSIZE_HEADER = 'siem.s3.record.bytes';

export interface IngestContext {
  s3: S3Client;
  config: S3SourceConfig;
  names: TopicNames;
  logger: Logger;
  producer: Producer;
  /** the work record: marked consumed in the transaction that finishes the object */
  work: { groupId: string; topic: string; partition: number; message: KafkaMessage };
  /** after each committed transaction, with the progress it recorded and the records it emitted */
  onCommitted(progress: ObjectProgress, emitted: number): void;
  /** heartbeat to the work group between chunks; throws when the group rebalances */
  keepAlive(): Promise<void>;
  isActive(): boolean;
}

export type IngestResult = 'completed' | 'failed' | 'superseded' | 'stopped';

/**
 * Reads one object from `resumeAt` and emits its records in chunks: each chunk commits in one
 * transaction with the progress record that covers it; the last one also marks the work record
 * consumed. An object that cannot be read is recorded as failed (progress + DLQ record). Errors a
 * retry can fix are thrown as SOURCE_UNAVAILABLE; the caller retries from the committed progress.
 */
export async function ingestObject(ctx: IngestContext, item: WorkItem, resumeAt: number): Promise<IngestResult> {
  const { config, names } = ctx;
  const ingest = new ChunkWriter(ctx, item);
  let response: GetObjectCommandOutput;
  try {
    response = await ctx.s3.send(new GetObjectCommand({ Bucket: item.bucket, Key: item.key, IfMatch: `"${item.etag}"` }));
  } catch (error) {
    return ingest.fail(error, resumeAt);
  }
  const body = response.Body as Readable;
  const rawTopic = names.raw(item.logType);
  const split = { maxRecordBytes: config.maxRecordBytes, headBytes: config.dlqRecordHeadBytes };
  const records = readRecords(body, item.framing, split, (n) => s3Bytes.inc(n));
  let recordNumber = 0;
  try {
    for (;;) {
      let next: IteratorResult<Awaited<ReturnType<typeof records.next>>['value']>;
      try {
        next = await records.next();
      } catch (error) {
        return await ingest.fail(error, recordNumber);
      }
      if (next.done) break;
      if (recordNumber >= resumeAt) {
        if (next.value.kind === 'record') ingest.add(rawTopic, rawRecordMessage(item, recordNumber, next.value.value));
        else ingest.addOversize(rawTopic, recordNumber, next.value.head, next.value.bytes);
      }
      recordNumber++;
      if (ingest.size >= config.chunkRecords) {
        await ingest.commit(recordNumber, false);
        await ctx.keepAlive();
        if (!ctx.isActive()) return 'stopped';
      }
    }
    await ingest.commit(recordNumber, true);
    s3Objects.inc({ result: 'completed' });
    return 'completed';
  } finally {
    body.destroy();
  }
}

/** Collects a chunk's records and DLQ records and commits them with the object's progress. */
class ChunkWriter {
  private messages = new Map<string, Message[]>();
  private count = 0;
  private emitted = 0;
  private oversize = 0;

  constructor(
    private readonly ctx: IngestContext,
    private readonly item: WorkItem,
  ) {}

  get size(): number {
    return this.count;
  }

  add(topic: string, message: Message): void {
    const list = this.messages.get(topic) ?? [];
    list.push(message);
    this.messages.set(topic, list);
    this.count++;
    if (topic !== this.ctx.names.dlq(STAGE)) this.emitted++;
  }

  addOversize(rawTopic: string, recordNumber: number, head: Buffer, bytes: number): void {
    const raw = rawRecordMessage(this.item, recordNumber, head);
    const error = new SiemStreamError(
      'RECORD_TOO_LARGE',
      `record ${recordNumber} of s3://${this.item.bucket}/${this.item.key} is ${bytes} bytes; the cap (maxRecordBytes) is ${this.ctx.config.maxRecordBytes}; the DLQ record holds its first ${head.length} bytes`,
      { stage: STAGE },
    );
    const rejected = {
      topic: rawTopic,
      partition: -1,
      offset: '-1',
      timestamp: String(Date.now()),
      key: Buffer.from(raw.key as string),
      value: head,
      headers: { ...(raw.headers as Record<string, string>), [OVERSIZE_HEADER]: String(bytes) },
    };
    this.add(this.ctx.names.dlq(STAGE), dlqMessage(rejected, error, STAGE));
    dlqRecords.inc({ stage: STAGE, error_code: 'RECORD_TOO_LARGE' });
    this.oversize++;
    this.ctx.logger.warn({ bucket: this.item.bucket, key: this.item.key, recordNumber, bytes }, 'record over the size cap sent to the DLQ');
  }

  async commit(nextRecord: number, done: boolean, failed?: SiemStreamError): Promise<void> {
    const progress: ObjectProgress = {
      kind: 'object',
      bucket: this.item.bucket,
      key: this.item.key,
      etag: this.item.etag,
      logType: this.item.logType,
      ...(this.item.reingestId ? { reingestId: this.item.reingestId } : {}),
      nextRecord,
      done,
      ...(failed ? { failed: { code: failed.code, message: failed.message } } : {}),
      updatedAt: new Date().toISOString(),
    };
    const transaction: SourceTransaction = {
      messages: this.messages,
      progress: [progress],
      ...(done ? { consumed: this.ctx.work } : {}),
      faultPoint: this.count > 0,
    };
    await commitSourceTransaction(this.ctx.producer, transaction, this.ctx.names, STAGE);
    s3Records.inc({ outcome: 'emitted' }, this.emitted);
    if (this.oversize > 0) s3Records.inc({ outcome: 'oversize' }, this.oversize);
    this.ctx.onCommitted(progress, this.emitted);
    this.messages = new Map();
    this.count = 0;
    this.emitted = 0;
    this.oversize = 0;
  }

  /** Decide about a read error: retry (throw), or record the object as failed/superseded and finish it. */
  async fail(error: unknown, nextRecord: number): Promise<IngestResult> {
    const verdict = classifyS3Failure(error);
    const { bucket, key, etag } = this.item;
    if (verdict === 'retry') throw sourceUnavailable(error, `reading s3://${bucket}/${key}`);
    const failure = objectFailure(error, bucket, key);
    const work = this.ctx.work;
    const rejected = rejectedRecord(work.topic, work.partition, work.message);
    rejected.headers = { ...rejected.headers, [RAW_HEADER.bucket]: bucket, [RAW_HEADER.key]: key, [RAW_HEADER.etag]: etag };
    this.add(this.ctx.names.dlq(STAGE), dlqMessage(rejected, failure, STAGE));
    dlqRecords.inc({ stage: STAGE, error_code: failure.code });
    this.ctx.logger.error({ bucket, key, etag, verdict, err: failure }, 'object recorded as failed');
    await this.commit(nextRecord, true, failure);
    s3Objects.inc({ result: verdict === 'superseded' ? 'superseded' : 'failed' });
    return verdict === 'superseded' ? 'superseded' : 'failed';
  }
}
