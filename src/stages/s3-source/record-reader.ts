import type { Framing } from './config.js';
import { decodeBody } from './decoders.js';
import { splitJsonRecords } from './json-records-splitter.js';
import { splitLines } from './line-splitter.js';
import type { RecordItem, SplitOptions } from './record-item.js';

export type { RecordItem } from './record-item.js';

/**
 * Streams an object's body as records without holding the object in memory: decompression by
 * magic bytes (gzip incl. multi-member, zstd, or none), then lines or JSON `Records` elements.
 * `onBytes` counts the bytes read from S3 (compressed), for metrics.
 */
export function readRecords(
  body: AsyncIterable<Buffer>,
  framing: Framing,
  options: SplitOptions,
  onBytes?: (n: number) => void,
): AsyncGenerator<RecordItem> {
  const decoded = decodeBody(body, onBytes);
  return framing === 'json-records' ? splitJsonRecords(decoded, options) : splitLines(decoded, options);
}

/** Only the records' bytes (oversized ones dropped): for tests and tools that need plain lines. */
export async function* readLineRecords(body: AsyncIterable<Buffer>, maxRecordBytes = 1_048_576): AsyncGenerator<Buffer> {
  for await (const item of readRecords(body, 'lines', { maxRecordBytes, headBytes: 0 })) if (item.kind === 'record') yield item.value;
}
