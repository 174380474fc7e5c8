import { z } from 'zod';
import { kafkaSaslSchema, kafkaSslSchema } from '../kafka/auth-config.js';
import { schemaRegistrySchema } from '../schemas/registry-config.js';
import { sinkSchema } from '../sinks/config.js';
import { piiSchema } from '../sinks/pii/config.js';
import { missingHashKeyIssues } from '../sinks/pii/effective-rules.js';
import { enricherSchema } from '../stages/enricher/config.js';
import { logTypeSchema, parserSchema } from '../stages/parser/config.js';
import { s3SourceSchema } from '../stages/s3-source/config.js';
import { routeOrigin } from '../stages/s3-source/route-presets.js';
import { nameSchema as name } from './common.js';
import { compressionSchema } from './compression.js';

/**
 * The topology schema is the single source of the config's TypeScript type, its validation
 * (unknown keys rejected, errors carry the field path) and the reference in docs/configuration.md.
 * Each component's section lives beside its code, in the config.ts of its stage or sink folder.
 */
export const kafkaSchema = z
  .object({
    brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1),
    clientId: z.string().min(1).default('siem-stream'),
    /** TLS to the brokers, and the client certificate for mutual TLS (kafka/auth-config.ts) */
    ssl: kafkaSslSchema.optional(),
    /** SASL: plain, scram-sha-256, scram-sha-512 with a password, or oauthbearer with OIDC client credentials */
    sasl: kafkaSaslSchema.optional(),
    connectionTimeoutMs: z.number().int().positive().default(10_000),
    /** how long a request (a transaction commit among them) may take before the client gives up on it */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    sessionTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * this process's stable name among its stage's instances (a StatefulSet pod name): transactional
     * ids derive from it, so a restarted instance fences its predecessor's open transaction at once.
     * Without it the name is `<host>-<slot>` (transactional-id.ts): stable across restarts on one
     * host; a process that comes back on another host (a new pod) leaves its predecessor's open
     * transaction to the broker's timeout (`transactionTimeoutMs`).
     */
    instanceId: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore, dash')
      .optional(),
    /** how long the broker lets a transaction stay open before it aborts it */
    transactionTimeoutMs: z.number().int().min(1_000).default(15_000),
    /** how long one chunk may take (transform and commit) before the member counts as stuck and leaves its group */
    maxPollIntervalMs: z.number().int().min(1_000).default(300_000),
  })
  .strict();

export const topicsSchema = z
  .object({
    prefix: z.string().default('siem.'),
    partitions: z.number().int().positive().default(3),
    replicationFactor: z.number().int().positive().default(1),
    /** codec per topic (name without the prefix, `*` at the end matches a family): none | gzip */
    compression: compressionSchema,
  })
  .strict();

export const topologySchema = z
  .object({
    name,
    kafka: kafkaSchema,
    schemaRegistry: schemaRegistrySchema,
    topics: topicsSchema.default({}),
    logTypes: z.record(name, logTypeSchema).refine((m) => Object.keys(m).length > 0, 'at least one log type'),
    source: z.object({ s3: s3SourceSchema }).strict(),
    parser: parserSchema.default({}),
    enricher: enricherSchema.default({}),
    sinks: z.array(sinkSchema).min(1),
    /** PII rules every sink applies before its destination (docs/privacy.md) */
    pii: piiSchema.optional(),
    metrics: z
      .object({ port: z.number().int().min(0).max(65535).default(0) })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((t, ctx) => {
    const reported = new Set<number>();
    t.source.s3.routes.forEach((route, i) => {
      if (Object.hasOwn(t.logTypes, route.logType)) return;
      const origin = routeOrigin(route) ?? { entry: i };
      if (reported.has(origin.entry)) return;
      reported.add(origin.entry);
      const declared = `declared: ${Object.keys(t.logTypes).join(', ')}`;
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['source', 's3', 'routes', origin.entry, origin.preset ? 'preset' : 'logType'],
        message: origin.preset
          ? `preset "${origin.preset}" writes to log type "${route.logType}", which is not declared (${declared}); add logTypes.${route.logType} or set logType on the entry`
          : `unknown log type "${route.logType}"; ${declared}`,
      });
    });
    const seen = new Set<string>();
    t.sinks.forEach((sink, i) => {
      if (seen.has(sink.name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sinks', i, 'name'], message: `duplicate sink name "${sink.name}"` });
      }
      seen.add(sink.name);
    });
    for (const issue of missingHashKeyIssues(t.pii, t.sinks)) ctx.addIssue({ code: z.ZodIssueCode.custom, ...issue });
  });

export type Topology = z.infer<typeof topologySchema>;
export type KafkaConfig = z.infer<typeof kafkaSchema>;
export type { SchemaRegistryConfig } from '../schemas/registry-config.js';
export type { SinkConfig } from '../sinks/config.js';
export type { SentinelSinkConfig } from '../sinks/sentinel/config.js';
export type { EnricherConfig } from '../stages/enricher/config.js';
export type { EventSchemaName, LogTypeConfig } from '../stages/parser/config.js';
export type { S3SourceConfig } from '../stages/s3-source/config.js';
