import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientOptions } from '../../config/aws.js';
import type { S3SourceConfig } from './config.js';

/**
 * Without explicit credentials the AWS default chain applies (env, profile, IMDS, IRSA). The SDK's
 * own retries are off (awsClientOptions): the source retries with its own backoff budget, counted
 * in siem_retries_total, and decides per error whether an object failed.
 */
export function createS3Client(config: S3SourceConfig): S3Client {
  return new S3Client({ ...awsClientOptions(config), forcePathStyle: config.forcePathStyle });
}

export function createSqsClient(config: S3SourceConfig): SQSClient {
  return new SQSClient({ ...awsClientOptions({ ...config, endpoint: config.sqs?.endpoint }), maxAttempts: 3 });
}
