/** Headers of a raw record (siem.raw.<logtype>): where in S3 it came from. */
export const RAW_HEADER = {
  logType: 'siem.log.type',
  bucket: 'siem.s3.bucket',
  key: 'siem.s3.key',
  etag: 'siem.s3.etag',
  recordNumber: 'siem.s3.record',
  /** optional: the object's first line, for formats whose header line names the fields (VPC flow logs) */
  headerLine: 'siem.s3.header-line',
} as const;

/** The raw record key keeps one object's records in one partition, in order. */
export function rawRecordKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}
