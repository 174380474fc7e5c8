import { z } from 'zod';
import { MAPPABLE_FIELDS } from '../schemas/events.js';

/**
 * The topology schema is the single source of the config's TypeScript type, its validation
 * (unknown keys rejected, errors carry the field path) and the reference in docs/configuration.md.
 */
const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"');

export const kafkaSchema = z
  .object({
    brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1),
    clientId: z.string().min(1).default('siem-stream'),
    ssl: z
      .object({
        rejectUnauthorized: z.boolean().default(true),
        caFile: z.string().optional(),
      })
      .strict()
      .optional(),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string().min(1),
        password: z.string().min(1),
      })
      .strict()
      .optional(),
    connectionTimeoutMs: z.number().int().positive().default(10_000),
    sessionTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

export const topicsSchema = z
  .object({
    prefix: z.string().default('siem.'),
    partitions: z.number().int().positive().default(3),
    replicationFactor: z.number().int().positive().default(1),
  })
  .strict();

export const logTypeSchema = z
  .object({
    format: z.enum(['json']),
    eventSchema: z.enum(['NetworkSession', 'Authentication', 'AuditEvent', 'Event']).default('Event'),
    /** normalized field → dotted path in the source JSON */
    fieldMap: z.record(z.enum(MAPPABLE_FIELDS), z.string().min(1)).default({}),
    product: z.string().optional(),
    vendor: z.string().optional(),
  })
  .strict();

export const s3SourceSchema = z
  .object({
    endpoint: z.string().url().optional(),
    region: z.string().default('us-east-1'),
    forcePathStyle: z.boolean().default(false),
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) })
      .strict()
      .optional(),
    bucket: z.string().min(3),
    prefix: z.string().default(''),
    routes: z.array(z.object({ match: z.string().min(1), logType: name }).strict()).min(1),
    pollIntervalMs: z.number().int().positive().default(5_000),
    chunkRecords: z.number().int().positive().default(500),
    maxRecordBytes: z.number().int().positive().default(1_048_576),
    transactionalId: z.string().default('siem-s3-source'),
  })
  .strict();

export const parserSchema = z
  .object({
    groupId: z.string().min(1).default('siem-parser'),
    maxRecordsPerTransaction: z.number().int().positive().default(500),
  })
  .strict();

export const enricherSchema = z
  .object({
    groupId: z.string().min(1).default('siem-enricher'),
    windowMs: z.number().int().positive().default(60_000),
    maxRecordsPerTransaction: z.number().int().positive().default(500),
  })
  .strict();

const credentialSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('static-token'), token: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('client-secret'),
      tenantId: z.string().min(1),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
    })
    .strict(),
  z.object({ type: z.literal('managed-identity'), clientId: z.string().optional() }).strict(),
  z.object({ type: z.literal('workload-identity') }).strict(),
  z.object({ type: z.literal('default') }).strict(),
]);

export const sentinelSinkSchema = z
  .object({
    type: z.literal('sentinel'),
    name,
    groupId: z.string().min(1).optional(),
    endpoint: z
      .string()
      .url()
      .refine((u) => u.startsWith('https://'), 'an https:// data collection endpoint'),
    dcrImmutableId: z.string().min(1),
    credential: credentialSchema,
    /** token audience; change for sovereign clouds (e.g. https://monitor.azure.us) */
    audience: z.string().url().default('https://monitor.azure.com'),
    partitionsConsumedConcurrently: z.number().int().positive().default(3),
    /** extra CA certificate (PEM file) to trust, e.g. the local emulator's */
    caFile: z.string().optional(),
    /** EventSchema → DCR stream name; "*" is the fallback */
    streams: z.record(z.string(), z.string().min(1)).refine((s) => '*' in s, 'must contain a "*" fallback stream'),
    batch: z
      .object({
        maxRecords: z.number().int().positive().default(1_000),
        maxLatencyMs: z.number().int().positive().default(2_000),
      })
      .strict()
      .default({}),
    maxAttempts: z.number().int().positive().default(8),
  })
  .strict();

export const topologySchema = z
  .object({
    name,
    kafka: kafkaSchema,
    schemaRegistry: z
      .object({
        url: z.string().url(),
        username: z.string().optional(),
        password: z.string().optional(),
      })
      .strict(),
    topics: topicsSchema.default({}),
    logTypes: z.record(name, logTypeSchema).refine((m) => Object.keys(m).length > 0, 'at least one log type'),
    source: z.object({ s3: s3SourceSchema }).strict(),
    parser: parserSchema.default({}),
    enricher: enricherSchema.default({}),
    sinks: z.array(sentinelSinkSchema).min(1),
    metrics: z
      .object({ port: z.number().int().min(0).max(65535).default(0) })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((t, ctx) => {
    t.source.s3.routes.forEach((route, i) => {
      if (!(route.logType in t.logTypes)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['source', 's3', 'routes', i, 'logType'],
          message: `unknown log type "${route.logType}"; declared: ${Object.keys(t.logTypes).join(', ')}`,
        });
      }
    });
    const seen = new Set<string>();
    t.sinks.forEach((sink, i) => {
      if (seen.has(sink.name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sinks', i, 'name'], message: `duplicate sink name "${sink.name}"` });
      }
      seen.add(sink.name);
    });
  });

export type Topology = z.infer<typeof topologySchema>;
export type KafkaConfig = z.infer<typeof kafkaSchema>;
export type LogTypeConfig = z.infer<typeof logTypeSchema>;
export type S3SourceConfig = z.infer<typeof s3SourceSchema>;
export type SentinelSinkConfig = z.infer<typeof sentinelSinkSchema>;
export type EventSchemaName = LogTypeConfig['eventSchema'];
