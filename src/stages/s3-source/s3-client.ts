import { S3Client } from '@aws-sdk/client-s3';
import type { S3SourceConfig } from '../../config/schema.js';

/** Without explicit credentials the AWS default chain applies (env, profile, IMDS, IRSA). */
export function createS3Client(config: S3SourceConfig): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // a copy: the SDK tags the credentials object it is given (`$source`), which would leak into our config
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
  });
}
