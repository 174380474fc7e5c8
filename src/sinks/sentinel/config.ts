import { z } from 'zod';
import { nameSchema as name } from '../../config/common.js';

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

export type SentinelSinkConfig = z.infer<typeof sentinelSinkSchema>;
