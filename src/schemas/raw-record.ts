/** Headers of a raw record (siem.raw.<logtype>): where in S3 it came from. */
export const RAW_HEADER = {
  logType: 'siem.log.type',
  bucket: 'siem.s3.bucket',
  key: 'siem.s3.key',
  etag: 'siem.s3.etag',
  recordNumber: 'siem.s3.record',
  /** set when `s3 reingest` read the object again on purpose: its records are new events */
  reingestId: 'siem.s3.reingest',
  /** optional: the object's first line, for formats whose header line names the fields (VPC flow logs) */
  headerLine: 'siem.s3.header-line',
  /** the object's LastModified (ISO 8601, as S3 answered GetObject): a time for records that carry none */
  lastModified: 'siem.s3.last-modified',
} as const;

/** An object's identity (`bucket/key`): its records' EventIds derive from it. */
export function rawRecordKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

/** Where a raw record came from: enough to find it again in S3. */
export interface RawOrigin {
  bucket: string;
  key: string;
  etag: string;
  logType: string;
  reingestId?: string | undefined;
  lastModified?: string | undefined;
  /** the Kafka key of its work and raw records (work-item.ts partitionKeyOf); the object's identity when absent */
  partitionKey?: string | undefined;
}

/** One line of an S3 object as the source writes it to raw.<logtype>. */
export function rawRecordMessage<V extends Buffer | string>(origin: RawOrigin, recordNumber: number, value: V) {
  return {
    key: origin.partitionKey ?? rawRecordKey(origin.bucket, origin.key),
    value,
    headers: {
      [RAW_HEADER.logType]: origin.logType,
      [RAW_HEADER.bucket]: origin.bucket,
      [RAW_HEADER.key]: origin.key,
      [RAW_HEADER.etag]: origin.etag,
      [RAW_HEADER.recordNumber]: String(recordNumber),
      ...(origin.reingestId ? { [RAW_HEADER.reingestId]: origin.reingestId } : {}),
      ...(origin.lastModified ? { [RAW_HEADER.lastModified]: origin.lastModified } : {}),
    },
  };
}
