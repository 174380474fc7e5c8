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
 * (unknown keys rejected, errors carry the field path) and docs/configuration.md, which
 * `npm run docs:config` generates from the `.describe()` texts and defaults here.
 * Each component's section lives beside its code, in the config.ts of its stage or sink folder.
 */
export const kafkaSchema = z
  .object({
    brokers: z
      .array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port'))
      .min(1)
      .describe('bootstrap brokers. The host may not contain `:` (no bare IPv6 literals)'),
    clientId: z
      .string()
      .min(1)
      .default('siem-stream')
      .describe('client id prefix; each client gets `<clientId>-<stage>` (`-admin` for topic creation)'),
    ssl: kafkaSslSchema
      .optional()
      .describe(
        'present ⇒ TLS to the brokers (`ssl: {}` is enough for a publicly trusted certificate); with `certFile` and `keyFile`, mutual TLS ([secured clusters](#secured-clusters))',
      ),
    sasl: kafkaSaslSchema
      .optional()
      .describe(
        'SASL authentication: `plain`, `scram-sha-256` or `scram-sha-512` with a username and password, or `oauthbearer` with OIDC client-credentials tokens; without `ssl` it runs over plaintext ([secured clusters](#secured-clusters))',
      ),
    connectionTimeoutMs: z.number().int().positive().default(10_000).describe('time allowed to open a broker connection'),
    requestTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe(
        'how long any broker request may take before the client gives up on it; a transaction commit that times out is retried as librdkafka asks, up to 5 times, then aborted',
      ),
    sessionTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        'consumer group session timeout of the parser and enricher (heartbeat every fifth of it, at least 500 ms); sinks use this value but at least 30000',
      ),
    instanceId: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore, dash')
      .optional()
      .describe(
        "this process's stable name among its stage's instances (a StatefulSet pod name). Transactional ids are `<group or transactionalId>-<instanceId>`, so a restarted instance fences what its predecessor left open at once. Without it the name is `<host>-<slot>`, the host and the lowest slot no live process on the host holds: stable across restarts on one host; a process that comes back on another host leaves its predecessor's open transaction to the broker's timeout (`transactionTimeoutMs`; [exactly-once](exactly-once.md))",
      ),
    transactionTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .default(15_000)
      .describe(
        "how long the broker lets a parser or enricher transaction stay open before it aborts it (a crashed process's open transaction holds read_committed readers back at most this long when it does not come back on the same host)",
      ),
    maxPollIntervalMs: z
      .number()
      .int()
      .min(1_000)
      .default(300_000)
      .describe(
        'how long one chunk may take (transform and commit) before the member counts as stuck and leaves its group; the S3 source slices an object every third of it',
      ),
  })
  .strict();

export const topicsSchema = z
  .object({
    prefix: z.string().default('siem.').describe('prepended to every topic name, so deployments can share a cluster'),
    partitions: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe('partitions of topics siem-stream creates; bounds how many processes of one stage do work in parallel'),
    replicationFactor: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('replication factor of topics siem-stream creates; use 3 on a production cluster'),
    compression: compressionSchema,
  })
  .strict();

export const topologySchema = z
  .object({
    name: name.describe("the deployment's name; appears as `topology` in log lines"),
    kafka: kafkaSchema.describe('[the cluster](#kafka)'),
    schemaRegistry: schemaRegistrySchema.describe('[the registry](#schemaregistry)'),
    topics: topicsSchema.default({}).describe('[topic naming and creation](#topics)'),
    logTypes: z
      .record(name.describe('name'), logTypeSchema)
      .refine((m) => Object.keys(m).length > 0, 'at least one log type')
      .describe('[the log types](#logtypes), by name; at least one'),
    source: z
      .object({ s3: s3SourceSchema.describe('[the S3 source](#source), the only source type') })
      .strict()
      .describe('where logs come from: `{ s3: … }`'),
    parser: parserSchema.default({}).describe('[parser settings](#parser)'),
    enricher: enricherSchema.default({}).describe('[enricher settings](#enricher)'),
    sinks: z.array(sinkSchema).min(1).describe('[the destinations](#sinks); names unique'),
    pii: piiSchema.optional().describe('[PII rules](#pii) every sink applies before its destination sees an event'),
    metrics: z
      .object({
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(0)
          .describe(
            'port of `/metrics`, `/healthz` and `/readyz` for `run`; `0` = any free port (logged as `metricsPort`). `--metrics-port` overrides it',
          ),
      })
      .strict()
      .default({})
      .describe('[the HTTP endpoint](#metrics)'),
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
