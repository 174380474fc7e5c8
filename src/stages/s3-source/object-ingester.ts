import type { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { SiemStreamError } from '../../errors.js';
import type { Message } from '../../kafka/message.js';
import { rawRecordMessage } from '../../schemas/raw-record.js';
import { ChunkWriter } from './chunk-writer.js';
import type { IngestContext } from './ingest-context.js';
import { readRecords } from './record-reader.js';
import { classifyS3Failure, objectFailure, sourceUnavailable } from './s3-errors.js';
import { s3Bytes, s3Objects } from './source-metrics.js';
import type { WorkItem } from './work-item.js';

export { OVERSIZE_HEADER } from './chunk-writer.js';
export type { IngestContext } from './ingest-context.js';

export type IngestResult = 'completed' | 'failed' | 'superseded' | 'stopped';

/**
 * Reads one object from `resumeAt` and emits its records in chunks: each chunk commits in one
 * transaction with the progress record that covers it; the last one also marks the work record
 * consumed. A chunk closes at `chunkRecords` records or before its bytes would pass the chunk's
 * limit; a record that fits no chunk goes to the DLQ. An object that cannot be read is recorded
 * as failed (progress + DLQ record). Errors a retry can fix are thrown as SOURCE_UNAVAILABLE; the
 * caller retries from the committed progress.
 */
export async function ingestObject(ctx: IngestContext, item: WorkItem, resumeAt: number): Promise<IngestResult> {
  const { config, names } = ctx;
  let response: GetObjectCommandOutput;
  try {
    response = await ctx.s3.send(new GetObjectCommand({ Bucket: item.bucket, Key: item.key, IfMatch: `"${item.etag}"` }));
  } catch (error) {
    return failObject(new ChunkWriter(ctx, item), item, error, resumeAt);
  }
  // every raw record carries the object's LastModified as S3 answers it (SQS work items have none of their own)
  const source: WorkItem = { ...item, lastModified: response.LastModified?.toISOString() ?? item.lastModified };
  const chunk = new ChunkWriter(ctx, source);
  const body = response.Body as Readable;
  const rawTopic = names.raw(item.logType);
  const split = { maxRecordBytes: chunk.valueCap, headBytes: config.dlqRecordHeadBytes };
  const records = readRecords(body, item.framing, split, (n) => s3Bytes.inc(n));
  let recordNumber = 0;
  const closeChunk = async (): Promise<boolean> => {
    await chunk.commit(recordNumber, false);
    await ctx.keepAlive();
    return ctx.isActive();
  };
  try {
    for (;;) {
      let next: IteratorResult<Awaited<ReturnType<typeof records.next>>['value']>;
      try {
        next = await records.next();
      } catch (error) {
        return await failObject(chunk, item, error, recordNumber);
      }
      if (next.done) break;
      if (recordNumber >= resumeAt) {
        const record = next.value;
        const message: Message =
          record.kind === 'record'
            ? rawRecordMessage(source, recordNumber, record.value)
            : chunk.oversizeMessage(rawTopic, recordNumber, record.head, record.bytes);
        if (chunk.size > 0 && !chunk.fits(message) && !(await closeChunk())) return 'stopped';
        if (record.kind === 'record') chunk.add(rawTopic, message);
        else chunk.addOversize(message, recordNumber, record.bytes);
      }
      recordNumber++;
      if (chunk.size >= config.chunkRecords && !(await closeChunk())) return 'stopped';
    }
    await chunk.commit(recordNumber, true);
    s3Objects.inc({ result: 'completed' });
    return 'completed';
  } finally {
    body.destroy();
  }
}

/** Decide about a read error: retry (throw), or record the object as failed/superseded and finish it. */
async function failObject(chunk: ChunkWriter, item: WorkItem, error: unknown, nextRecord: number): Promise<IngestResult> {
  const verdict = classifyS3Failure(error);
  if (verdict === 'retry') throw sourceUnavailable(error, `reading s3://${item.bucket}/${item.key}`);
  const failure = objectFailure(error, item.bucket, item.key);
  await chunk.deadLetter(failure, nextRecord, 1, verdict === 'superseded' ? 'superseded' : 'not-retriable');
  s3Objects.inc({ result: verdict === 'superseded' ? 'superseded' : 'failed' });
  return verdict === 'superseded' ? 'superseded' : 'failed';
}

/**
 * An object that failed on every attempt (the retry budget is spent): dead-lettered at its
 * committed progress, so it never blocks the objects behind it on its work partition.
 */
export async function deadLetterObject(
  ctx: IngestContext,
  item: WorkItem,
  failure: SiemStreamError,
  nextRecord: number,
  attempts: number,
): Promise<void> {
  await new ChunkWriter(ctx, item).deadLetter(failure, nextRecord, attempts, 'retries-exhausted');
  s3Objects.inc({ result: 'failed' });
}
