import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { S3SourceConfig } from './config.js';

/**
 * Without explicit credentials the AWS default chain applies (env, profile, IMDS, IRSA). Credentials
 * are copied: the SDK marks the object it is given, and the topology must stay serialisable.
 * The SDK's own retries are off (maxAttempts 1): the source retries with its own backoff budget,
 * counted in siem_retries_total, and decides per error whether an object failed.
 */
export function createS3Client(config: S3SourceConfig): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    maxAttempts: 1,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
  });
}

export function createSqsClient(config: S3SourceConfig): SQSClient {
  return new SQSClient({
    region: config.region,
    maxAttempts: 3,
    ...(config.sqs?.endpoint ? { endpoint: config.sqs.endpoint } : {}),
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
  });
}
