import { z } from 'zod';
import { awsCredentialsSchema } from '../../config/aws.js';
import { nameSchema as name } from '../../config/common.js';
import { retryPolicySchema } from '../../util/retry.js';
import { afterIngestSchema, globCanMatchUnder } from './after-ingest-config.js';
import { expandRoutePresets, ROUTE_PRESET_NAMES } from './route-presets.js';

/** How an object's bytes split into records: one per line, or one per element of a JSON `{"Records":[…]}` document (CloudTrail). */
export const framingSchema = z.enum(['lines', 'json-records']);
export const readOrderSchema = z.enum(['stream', 'object']);

const routeSchema = z
  .object({
    match: z
      .string()
      .min(1)
      .describe(
        'glob on the object key (`**` crosses `/`, `*` and `?` stay within one path segment); the first route that matches wins, and a key no route matches is never read',
      ),
    logType: name.describe('the log type of its records (a key of `logTypes`)'),
    framing: framingSchema
      .default('lines')
      .describe('how the object splits into records: one per line, or one per element of a JSON `{"Records":[…]}` document (CloudTrail)'),
    afterIngest: afterIngestSchema
      .optional()
      .describe(
        'tag, move or delete the object once its last record is committed; an object recorded as failed or superseded is left as it is ([object lifecycle](s3-source.md#object-lifecycle))',
      ),
  })
  .strict()
  .describe('a route of your own: a glob and the log type it feeds');

/** `{preset: cloudtrail}`: the routes (and ignored keys) of a layout AWS writes, see route-presets.ts */
const presetRouteSchema = routeSchema
  .omit({ match: true, logType: true, framing: true })
  .extend({
    preset: z
      .enum(ROUTE_PRESET_NAMES)
      .describe(
        "a key layout AWS services write; the entry stands, at its place in the first-match order, for the preset's routes, and adds its `ignore` globs (CloudTrail digest files) ([AWS presets](s3-source.md#aws-presets))",
      ),
    prefix: z
      .string()
      .optional()
      .describe(
        '`AWSLogs/` layouts: the folder before `AWSLogs/` (a `/` is added; default `**/`, any prefix or none); `s3-access`: the target prefix exactly as configured in S3 (default none)',
      ),
    logType: name
      .optional()
      .describe(
        "the log type of its records; default: the preset's own (`cloudtrail`, `vpcflow`, `alb`, `guardduty`, `waf`, `s3access`), which must be declared under `logTypes`",
      ),
  })
  .strict()
  .describe('an AWS preset: the routes of a layout AWS services write ([AWS presets](s3-source.md#aws-presets))');

const locationSchema = z
  .object({
    bucket: z.string().min(3).describe('a bucket to poll'),
    prefix: z.string().default('').describe('only keys starting with it are listed'),
  })
  .strict();

const sqsSchema = z
  .object({
    queueUrl: z.string().url().describe('the queue S3 sends its event notifications to'),
    endpoint: z
      .string()
      .url()
      .optional()
      .describe("an SQS-compatible server (ElasticMQ locally); default: AWS SQS in the S3 source's region"),
    waitTimeSeconds: z.number().int().min(0).max(20).default(10).describe('long-poll wait of each receive'),
    maxMessages: z.number().int().min(1).max(10).default(10).describe('messages per receive'),
    visibilityTimeoutSeconds: z
      .number()
      .int()
      .min(2)
      .max(43_200)
      .default(60)
      .describe('visibility given to a received message and renewed by each heartbeat while its objects are read'),
    heartbeatSeconds: z
      .number()
      .positive()
      .default(20)
      .describe('how often visibility is renewed; must be shorter than `visibilityTimeoutSeconds`'),
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
    finishedMs: z
      .number()
      .int()
      .min(0)
      .default(604_800_000)
      .describe(
        "a finished object's progress is tombstoned at least this long (default 7 days) after it was last written, once it cannot be discovered again; `0` keeps it forever",
      ),
    /** how often an owner of a work partition looks for expired progress (also at each assignment) */
    sweepIntervalMs: z
      .number()
      .int()
      .positive()
      .default(600_000)
      .describe('how often the owner of a work partition looks for expired progress (also at each assignment)'),
  })
  .strict()
  .default({});

export const s3SourceSchema = z
  .object({
    endpoint: z.string().url().optional().describe('an S3-compatible endpoint; default: AWS S3 in `region`'),
    region: z.string().default('us-east-1').describe("the bucket's AWS region (also SQS's, unless `sqs.endpoint` is set)"),
    forcePathStyle: z.boolean().default(false).describe('`http://host/bucket/key` addressing, as most S3-compatible servers need'),
    credentials: awsCredentialsSchema
      .optional()
      .describe(
        'static keys (the secret best from `SIEM_STREAM__SOURCE__S3__CREDENTIALS__SECRET_ACCESS_KEY`); without them the AWS default chain (environment, profile, IMDS, IRSA)',
      ),
    bucket: z
      .string()
      .min(3)
      .describe('the default bucket: polled (with `prefix`) when `locations` is not set, and the default bucket of `s3 reingest`'),
    prefix: z.string().default('').describe('the default prefix, with `bucket`'),
    discovery: z
      .enum(['polling', 'sqs'])
      .default('polling')
      .describe(
        'how new objects are found: listing by prefix with a persisted watermark, or S3 event notifications through SQS ([discovery](s3-source.md#discovery))',
      ),
    locations: z.array(locationSchema).min(1).optional().describe('bucket/prefix pairs to poll; default: the one `bucket` + `prefix`'),
    routes: z
      .array(z.union([presetRouteSchema, routeSchema]))
      .min(1)
      .describe(
        'which log type each object holds, by key: the first entry that matches wins; a `{ preset }` entry stands for its routes at its place',
      ),
    ignore: z
      .array(z.string().min(1))
      .default([])
      .describe('globs of keys never read, whatever the routes, checked before them; presets add theirs (CloudTrail digest files)'),
    pollIntervalMs: z
      .number()
      .int()
      .positive()
      .default(5_000)
      .describe(
        'time between listing passes: half of it on average is how long a new object waits to be seen; each pass is one ListObjectsV2 call per 1,000 keys under each prefix (at 250 ms, ~350,000 calls a day per prefix); `discovery: sqs` sees objects without listing',
      ),
    since: z
      .string()
      .datetime({ offset: true })
      .optional()
      .describe('first run only: objects last modified before this instant are not ingested'),
    lookBackMs: z
      .number()
      .int()
      .min(0)
      .default(900_000)
      .describe('keys that appear below the listing watermark are still found if they appear within this window'),
    sqs: sqsSchema.optional().describe('required with `discovery: sqs`'),
    chunkRecords: z.number().int().positive().default(2_000).describe('records per transaction (at most)'),
    order: readOrderSchema
      .default('stream')
      .describe(
        "`stream`: one source stream's objects (its log type and key without the date and time: one CloudTrail account and region, one flow log, one folder of undated files) are read one after another in key order and keep that order through the raw and normalized topics, so event time replays in order and a backfill is not late ([read order](s3-source.md#read-order)); streams are read in parallel. `object`: every object is spread over the work partitions on its own: more parallel for a backfill of few streams, but one stream's events then reach the enricher out of order",
      ),
    concurrentObjects: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('objects one instance reads at the same time (from different work partitions, each with its own producer)'),
    maxChunkBytes: z
      .number()
      .int()
      .min(65_536)
      .optional()
      .describe(
        'bytes one chunk (its records, DLQ records and progress record) may take; default and upper bound: the smallest `max.message.bytes` of the topics the chunk writes, read from the broker ([chunks bounded by bytes](s3-source.md#chunks-bounded-by-bytes))',
      ),
    maxRecordBytes: z
      .number()
      .int()
      .positive()
      .default(1_048_576)
      .describe('record size cap; what fits a chunk of the raw topic caps it further. A larger record goes to `dlq.s3-source`'),
    dlqRecordHeadBytes: z.number().int().positive().default(65_536).describe('bytes of an oversized record kept in its DLQ record'),
    transactionalId: z
      .string()
      .default('siem-s3-source')
      .describe(
        "prefix of the per-work-partition transactional ids, also the work topic's consumer group; instances sharing the work use the same value",
      ),
    transactionTimeoutMs: z.number().int().positive().default(60_000).describe('Kafka transaction timeout of the source'),
    sessionTimeoutMs: z.number().int().positive().default(30_000).describe('session timeout of the work consumer group'),
    retry: retrySchema
      .default({})
      .describe(
        'S3 retry budget and backoff; `attempts` is also how often an object may fail before it is dead-lettered as poison, and the budget of an after-ingest action',
      ),
    progressRetention: progressRetentionSchema.describe(
      'when the progress records of finished objects are deleted (tombstoned) from `source-offsets` ([progress retention](s3-source.md#progress-retention))',
    ),
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
export type ReadOrder = z.infer<typeof readOrderSchema>;
export type SqsConfig = z.infer<typeof sqsSchema>;
