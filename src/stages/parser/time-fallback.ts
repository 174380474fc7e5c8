import { z } from 'zod';
import { RAW_HEADER } from '../../schemas/raw-record.js';
import type { LogTypeConfig } from './formats/index.js';
import type { ParseContext } from './formats/types.js';

/**
 * Where an event whose source names no time gets TimeGenerated: the LastModified of the S3 object
 * it came from (the raw record's `siem.s3.last-modified` header), or the raw record's Kafka
 * timestamp (when the source read it).
 */
export const timeFallbackSchema = z.enum(['object-last-modified', 'kafka-timestamp']);
export type TimeFallback = z.infer<typeof timeFallbackSchema>;

/**
 * The fallback time of one record and where it came from (for `AdditionalFields.TimeGeneratedSource`).
 * A record without the header (written by a source before it carried one, or not from S3) gets
 * its Kafka timestamp.
 */
export function fallbackTime(choice: TimeFallback, context: ParseContext): { millis: number; source: TimeFallback } {
  if (choice === 'object-last-modified') {
    const millis = Date.parse(context.headers[RAW_HEADER.lastModified] ?? '');
    if (Number.isFinite(millis)) return { millis, source: 'object-last-modified' };
  }
  return { millis: context.receivedAt, source: 'kafka-timestamp' };
}

/** The `json` log types whose field map names no TimeGenerated, with the fallback each uses. */
export function timeFallbackChoices(logTypes: Record<string, LogTypeConfig>): Array<{ logType: string; timeFallback: TimeFallback }> {
  return Object.entries(logTypes).flatMap(([logType, config]) =>
    config.format === 'json' && config.fieldMap.TimeGenerated === undefined ? [{ logType, timeFallback: config.timeFallback }] : [],
  );
}
