import { z } from 'zod';
import { awsCredentialsSchema } from '../../config/aws.js';
import { nameSchema as name } from '../../config/common.js';
import { retryPolicySchema } from '../../util/retry.js';
import { afterIngestSchema, globCanMatchUnder } from './after-ingest-config.js';
import { expandRoutePresets, ROUTE_PRESET_NAMES } from './route-presets.js';

/** How an object's bytes split into records: one per line, or one per element of a JSON `{"Records":[…]}` document (CloudTrail). */
export const framingSchema = z.enum(['lines', 'json-records']);

const routeSchema = z
  .object({
    match: z.string().min(1),
    logType: name,
    framing: framingSchema.default('lines'),
    /** tag, move or delete the object once its last record is committed (docs/s3-source.md#object-lifecycle) */
    afterIngest: afterIngestSchema.optional(),
  })
  .strict();

/** `{preset: cloudtrail}`: the routes (and ignored keys) of a layout AWS writes, see route-presets.ts */
const presetRouteSchema = routeSchema
  .omit({ match: true, logType: true, framing: true })
  .extend({
    preset: z.enum(ROUTE_PRESET_NAMES),
    /** AWSLogs layouts: the prefix before `AWSLogs/` (default: any, or none); `s3-access`: the target prefix (default none) */
    prefix: z.string().optional(),
    /** default: the preset's own (cloudtrail, vpcflow, alb, guardduty, waf, s3access) */
    logType: name.optional(),
  })
  .strict();

const locationSchema = z
  .object({
    bucket: z.string().min(3),
    prefix: z.string().default(''),
  })
  .strict();

const sqsSchema = z
  .object({
    queueUrl: z.string().url(),
    /** defaults to the S3 endpoint's region; set for a local SQS-compatible server */
    endpoint: z.string().url().optional(),
    waitTimeSeconds: z.number().int().min(0).max(20).default(10),
    maxMessages: z.number().int().min(1).max(10).default(10),
    /** visibility given to a received message and renewed by each heartbeat while its objects are read */
    visibilityTimeoutSeconds: z.number().int().min(2).max(43_200).default(60),
    /** how often visibility is renewed; must be shorter than visibilityTimeoutSeconds */
    heartbeatSeconds: z.number().positive().default(20),
  })
  .strict()
  .refine((s) => s.heartbeatSeconds < s.visibilityTimeoutSeconds, {
    message: 'heartbeatSeconds must be shorter than visibilityTimeoutSeconds',
    path: ['heartbeatSeconds'],
  });

const retrySchema = retryPolicySchema({ attempts: 8, baseMs: 200, capMs: 30_000 });

/** When the progress records of finished objects are deleted (tombstoned) from source-offsets; docs/s3-source.md#progress-retention */
const progressRetentionSchema = z
  .object({
    /** a finished object's progress is kept at least this long after it was last written; 0 keeps it forever */
    finishedMs: z.number().int().min(0).default(604_800_000),
    /** how often an owner of a work partition looks for expired progress (also at each assignment) */
    sweepIntervalMs: z.number().int().positive().default(600_000),
  })
  .strict()
  .default({});

export const s3SourceSchema = z
  .object({
    endpoint: z.string().url().optional(),
    region: z.string().default('us-east-1'),
    forcePathStyle: z.boolean().default(false),
    credentials: awsCredentialsSchema.optional(),
    /** the default bucket and prefix: polled when `locations` is not set, and used by re-ingest */
    bucket: z.string().min(3),
    prefix: z.string().default(''),
    discovery: z.enum(['polling', 'sqs']).default('polling'),
    /** bucket/prefix pairs to poll; default: the one `bucket` + `prefix` */
    locations: z.array(locationSchema).min(1).optional(),
    /** first match wins; a `{preset}` entry stands for its routes at its place */
    routes: z.array(z.union([presetRouteSchema, routeSchema])).min(1),
    /** globs of keys never read, whatever the routes (presets add theirs, e.g. CloudTrail digest files) */
    ignore: z.array(z.string().min(1)).default([]),
    pollIntervalMs: z.number().int().positive().default(5_000),
    /** first run only: objects last modified before this instant are not ingested */
    since: z.string().datetime({ offset: true }).optional(),
    /** keys that appear below the listing watermark are still found if they appear within this window */
    lookBackMs: z.number().int().min(0).default(900_000),
    sqs: sqsSchema.optional(),
    chunkRecords: z.number().int().positive().default(2_000),
    /** objects one instance reads at the same time (from different work partitions) */
    concurrentObjects: z.number().int().min(1).default(3),
    /**
     * bytes one chunk (its records, DLQ records and progress record) may take; default and upper
     * bound: the smallest `max.message.bytes` of the topics the chunk writes, read from the broker
     */
    maxChunkBytes: z.number().int().min(65_536).optional(),
    maxRecordBytes: z.number().int().positive().default(1_048_576),
    /** bytes of an oversized record kept in its DLQ record */
    dlqRecordHeadBytes: z.number().int().positive().default(65_536),
    /** prefix of the per-work-partition transactional ids, also the work topic's consumer group */
    transactionalId: z.string().default('siem-s3-source'),
    transactionTimeoutMs: z.number().int().positive().default(60_000),
    sessionTimeoutMs: z.number().int().positive().default(30_000),
    retry: retrySchema.default({}),
    progressRetention: progressRetentionSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.discovery === 'sqs' && !s.sqs) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sqs'], message: 'discovery "sqs" needs an sqs section with queueUrl' });
    }
    // presets included: a moved object must not match any route, whoever wrote it
    const expanded = expandRoutePresets<z.infer<typeof routeSchema>>(s.routes).routes;
    s.routes.forEach((route, i) => {
      if (route.afterIngest?.action !== 'move') return;
      const { prefix } = route.afterIngest;
      const clash = expanded.find((r) => globCanMatchUnder(r.match, prefix));
      if (clash) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['routes', i, 'afterIngest', 'prefix'],
          message: `route "${clash.match}" matches keys under "${prefix}": moved objects would be read again; choose a prefix no route matches`,
        });
      }
    });
  })
  .transform((s) => {
    const { routes, ignore } = expandRoutePresets<z.infer<typeof routeSchema>>(s.routes);
    return { ...s, routes, ignore: [...ignore, ...s.ignore] };
  });

export type S3SourceConfig = z.infer<typeof s3SourceSchema>;
export type Framing = z.infer<typeof framingSchema>;
export type SqsConfig = z.infer<typeof sqsSchema>;
