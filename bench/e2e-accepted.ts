import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stackPaths } from '../src/dev/stack/process-files.js';

/** One record the Logs Ingestion emulator accepted: where it came from in S3 and when it was accepted. */
export interface AcceptedRecord {
  key: string;
  recordNumber: number;
  receivedAtMs: number;
}

/**
 * The records the stack's emulator accepted from one bucket, read from its records file (the
 * control API would send them as one JSON document, too large at this size). The emulator writes a
 * row before it answers the request, so every record a sink was told was accepted is in the file.
 */
export async function acceptedFromBucket(stackHome: string, bucket: string): Promise<AcceptedRecord[]> {
  const file = join(stackPaths(stackHome).data, 'emulator-records.jsonl');
  const out: AcceptedRecord[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.includes(bucket)) continue; // cheap pre-filter before parsing
    const row = JSON.parse(line) as {
      receivedAt: string;
      record: { SourceBucket?: string; SourceKey?: string; SourceRecordNumber?: number };
    };
    if (row.record.SourceBucket !== bucket) continue;
    out.push({
      key: row.record.SourceKey ?? '',
      recordNumber: row.record.SourceRecordNumber ?? -1,
      receivedAtMs: Date.parse(row.receivedAt),
    });
  }
  return out;
}

/** Records accepted more than once (the same object and record number): a redelivery the sink made. */
export function duplicates(records: readonly AcceptedRecord[]): number {
  const seen = new Set(records.map((r) => `${r.key}#${r.recordNumber}`));
  return records.length - seen.size;
}
