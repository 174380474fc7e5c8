/** Headers of a raw record (siem.raw.<logtype>): where in S3 it came from. */
export const RAW_HEADER = {
  logType: 'siem.log.type',
  bucket: 'siem.s3.bucket',
  key: 'siem.s3.key',
  etag: 'siem.s3.etag',
  recordNumber: 'siem.s3.record',
} as const;

/** The raw record key keeps one object's records in one partition, in order. */
export function rawRecordKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}
