import { z } from 'zod';
import { sinkCommonFields } from '../common-config.js';

/** For an authority that is not a public Entra ID cloud (Azure Stack, a local token endpoint): no instance discovery. */
const authorityFields = {
  /** Entra ID authority for sovereign clouds, e.g. https://login.microsoftonline.us (default: AZURE_AUTHORITY_HOST or the public cloud) */
  authorityHost: z.string().url().optional(),
  /**
   * MSAL asks login.microsoftonline.com whether the authority is a known cloud before its first
   * token; an authority it cannot vouch for (Azure Stack Hub, a private or local token endpoint) needs this on
   */
  disableInstanceDiscovery: z.boolean().default(false),
};

const credentialSchema = z
  .discriminatedUnion('type', [
    /** a fixed bearer token: the local emulator, or a token minted outside siem-stream */
    z.object({ type: z.literal('static-token'), token: z.string().min(1) }).strict(),
    z
      .object({
        type: z.literal('client-secret'),
        tenantId: z.string().min(1),
        clientId: z.string().min(1),
        /** the secret itself (e.g. from SIEM_STREAM__SINKS__0__CREDENTIAL__CLIENT_SECRET), or… */
        clientSecret: z.coerce.string().min(1).optional(),
        /** …a file holding it (a mounted Kubernetes secret), read at start */
        clientSecretFile: z.string().min(1).optional(),
        ...authorityFields,
      })
      .strict(),
    z.object({ type: z.literal('managed-identity'), clientId: z.string().optional() }).strict(),
    z
      .object({
        type: z.literal('workload-identity'),
        tenantId: z.string().optional(),
        clientId: z.string().optional(),
        tokenFilePath: z.string().optional(),
        ...authorityFields,
      })
      .strict(),
    z.object({ type: z.literal('default') }).strict(),
  ])
  .superRefine((c, ctx) => {
    // a refinement inside a discriminated union is not allowed, so the one rule of client-secret sits here
    if (c.type === 'client-secret' && (c.clientSecret === undefined) === (c.clientSecretFile === undefined))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['clientSecret'],
        message: 'set exactly one of clientSecret and clientSecretFile',
      });
  });

const columnSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(['string', 'int', 'long', 'real', 'boolean', 'datetime', 'dynamic']),
  })
  .strict();

const guardAction = z.enum(['report', 'dlq']);

export const sentinelSinkSchema = z
  .object({
    type: z.literal('sentinel'),
    ...sinkCommonFields,
    endpoint: z
      .string()
      .url()
      .refine((u) => u.startsWith('https://'), 'an https:// data collection endpoint'),
    dcrImmutableId: z.string().min(1),
    credential: credentialSchema,
    /** token audience (scope = <audience>/.default); sovereign clouds: https://monitor.azure.us, https://monitor.azure.cn */
    audience: z.string().url().default('https://monitor.azure.com'),
    /** extra CA certificate (PEM file) to trust, for the uploads and the credential's token requests, e.g. the local emulator's */
    caFile: z.string().optional(),
    /** one request's time limit; a timeout is retried */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** EventSchema → DCR stream name; "*" is the fallback */
    streams: z.record(z.string(), z.string().min(1)).refine((s) => '*' in s, 'must contain a "*" fallback stream'),
    /** per stream, the columns the deployed DCR declares, when they differ from the ones generated from schemas/ */
    columns: z.record(z.string(), z.array(columnSchema).min(1)).default({}),
    schemaGuard: z
      .object({
        /** a column the stream does not declare (the API would drop it silently): report (metric + log, sent anyway) or DLQ */
        undeclaredColumns: guardAction.default('report'),
        /** a value that does not fit its column's type */
        typeMismatches: guardAction.default('dlq'),
        /** a value above the 64 KB field limit (the API would truncate it) */
        oversizedFields: guardAction.default('dlq'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type SentinelSinkConfig = z.infer<typeof sentinelSinkSchema>;
