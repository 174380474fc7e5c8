import { createHash } from 'node:crypto';

/**
 * A deterministic event id, formatted as a UUID (version nibble 8, "custom") because Sentinel users
 * join on GUID-shaped ids. The same input always yields the same id, so a redelivery anywhere
 * downstream is recognisable.
 */
function uuidOf(parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Where a record was in S3: the same record read twice (even written to Kafka twice) gets the same id. */
export interface SourcePosition {
  bucket: string;
  key: string;
  /** the object's ETag (or version id): a rewritten object is a new object */
  etag: string;
  recordNumber: string;
  /** a deliberate re-ingest makes new events */
  reingestId?: string | undefined;
}

export function sourceEventId(position: SourcePosition): string {
  const { bucket, key, etag, recordNumber, reingestId } = position;
  return uuidOf(['s3', bucket, key, etag, recordNumber, reingestId ?? '']);
}

/** For records that did not come from the S3 source (another producer wrote them): their Kafka coordinates. */
export function deterministicEventId(topic: string, partition: number, offset: string): string {
  return uuidOf([topic, String(partition), offset]);
}
