import { z } from 'zod';

/**
 * Static AWS credentials, as every AWS client of a topology takes them (S3/SQS source, CloudWatch
 * Logs sink). Without them the SDK's default chain applies (env, profile, IMDS, IRSA).
 */
export const awsCredentialsSchema = z
  .object({
    accessKeyId: z.string().min(1).describe('the access key id'),
    secretAccessKey: z.string().min(1).describe('the secret access key, best from the environment'),
    /** for temporary credentials (STS) */
    sessionToken: z.string().min(1).optional().describe('the session token of temporary credentials (STS)'),
  })
  .strict();

export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;

/**
 * The options every AWS SDK client of the project is built with. The SDK's own retries are off
 * (maxAttempts 1): the component retries with its own budget and metric. Credentials are copied:
 * the SDK marks the object it is given, and the topology must stay serialisable.
 */
export function awsClientOptions(config: { region: string; endpoint?: string | undefined; credentials?: AwsCredentials | undefined }) {
  return {
    region: config.region,
    maxAttempts: 1,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
  };
}
