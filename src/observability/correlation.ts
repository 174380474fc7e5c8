import { createHash } from 'node:crypto';
import { RAW_HEADER } from '../schemas/raw-record.js';

/**
 * A correlation id that follows one log record from S3 to the sink without a new header: it is
 * derived from where the record came from (bucket, key, record number), which the raw headers
 * carry through the parser and enricher (they copy the input headers), the DLQ keeps, and the
 * normalized and enriched events hold as SourceBucket, SourceKey and SourceRecordNumber.
 * Any stage — or an operator with `siem-stream dlq inspect` — computes the same 16 hex digits.
 */
export function correlationIdOf(bucket: string, key: string, recordNumber: number | string): string {
  return createHash('sha256').update(`${bucket}/${key}#${recordNumber}`).digest('hex').slice(0, 16);
}

/** The correlation id of a record from its (raw, normalized or DLQ) headers; undefined when they do not say where it came from. */
export function correlationId(headers: Record<string, string>): string | undefined {
  const bucket = headers[RAW_HEADER.bucket];
  const key = headers[RAW_HEADER.key];
  const recordNumber = headers[RAW_HEADER.recordNumber];
  if (bucket === undefined || key === undefined || recordNumber === undefined) return undefined;
  return correlationIdOf(bucket, key, recordNumber);
}
