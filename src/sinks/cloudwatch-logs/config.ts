import { z } from 'zod';
import { awsCredentialsSchema } from '../../config/aws.js';
import { sinkCommonFields } from '../common-config.js';
import { PUT_LOG_EVENTS } from './limits.js';

/** Event fields a log group or stream name may be made of: `{EventSchema}`, `{LogType}`. */
export const NAME_FIELDS = ['EventSchema', 'LogType'] as const;

const namePattern = (what: string) =>
  z
    .string()
    .min(1)
    .max(512)
    .refine((name) => [...name.matchAll(/\{([^}]*)\}/g)].every((m) => (NAME_FIELDS as readonly string[]).includes(m[1] ?? '')), {
      message: `${what}: the only placeholders are ${NAME_FIELDS.map((f) => `{${f}}`).join(', ')}`,
    });

/** Log group retention values CloudWatch Logs accepts (PutRetentionPolicy). */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const cloudwatchLogsSinkSchema = z
  .object({
    type: z.literal('cloudwatch-logs'),
    ...sinkCommonFields,
    region: z.string().min(1).describe('the AWS region of the log groups'),
    /** another endpoint than the region's (a VPC endpoint, FIPS, or a local server such as moto) */
    endpoint: z
      .string()
      .url()
      .optional()
      .describe("another endpoint than the region's (a VPC endpoint, FIPS, or a local server such as moto)"),
    /** static credentials; default: the SDK's default chain (env, profile, IMDS, IRSA), as for S3 */
    credentials: awsCredentialsSchema
      .optional()
      .describe("static credentials, as for S3; without them the SDK's default chain (environment, profile, IMDS, IRSA)"),
    /** log group of an event, fixed or with `{EventSchema}` / `{LogType}` */
    logGroup: namePattern('logGroup')
      .default('/siem-stream/{EventSchema}')
      .describe("an event's log group, fixed or with `{EventSchema}` / `{LogType}` (any other placeholder fails at load)"),
    /** log stream within the group, fixed or with `{EventSchema}` / `{LogType}` */
    logStream: namePattern('logStream')
      .default('siem-stream')
      .describe('the log stream within the group, fixed or with `{EventSchema}` / `{LogType}`'),
    /** create a missing log group and stream (CreateLogGroup/CreateLogStream); off: a missing one stops the sink */
    createMissing: z
      .boolean()
      .default(true)
      .describe(
        'create a missing log group and stream (`CreateLogGroup`, `CreateLogStream`); off: a missing one stops the sink as misconfigured',
      ),
    /** retention set on a log group this sink creates; default: never expire */
    retentionInDays: z
      .number()
      .int()
      .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), `one of ${RETENTION_DAYS.join(', ')}`)
      .optional()
      .describe(`retention set on a log group this sink creates, one of ${RETENTION_DAYS.join(', ')}; default: never expire`),
    /**
     * the CloudWatch timestamp of an event: its `TimeGenerated`, or the time it is delivered (for
     * backfills older than the 14 days CloudWatch accepts; TimeGenerated stays in the message)
     */
    timestamp: z
      .enum(['event-time', 'delivery-time'])
      .default('event-time')
      .describe(
        "an event's CloudWatch timestamp: its `TimeGenerated`, or the time the sink delivers it (for backfills older than the 14 days CloudWatch accepts; `TimeGenerated` stays in the message)",
      ),
    /** one event's size (UTF-8 message bytes + 26); larger events go to the DLQ */
    maxEventBytes: z
      .number()
      .int()
      .positive()
      .max(PUT_LOG_EVENTS.maxBatchBytes)
      .default(PUT_LOG_EVENTS.maxEventBytes)
      .describe(
        "one event's size (UTF-8 message bytes + 26); a larger one goes to the DLQ as `RECORD_TOO_LARGE`. AWS's API reference says 1 MB per event, its quota page 256 KB: raise it where your account takes it",
      ),
    /** one request's time limit; a timeout is retried */
    requestTimeoutMs: z.number().int().positive().default(30_000).describe("one request's time limit; a timeout is retried"),
  })
  .strict()
  .describe(
    'Amazon CloudWatch Logs through PutLogEvents, creating log groups and streams as needed ([sinks](sinks.md#cloudwatch-logs-type-cloudwatch-logs))',
  );

export type CloudWatchLogsSinkConfig = z.infer<typeof cloudwatchLogsSinkSchema>;
