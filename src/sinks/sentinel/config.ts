import { z } from 'zod';
import { sinkCommonFields } from '../common-config.js';

/** For an authority that is not a public Entra ID cloud (Azure Stack, a local token endpoint): no instance discovery. */
const authorityFields = {
  authorityHost: z
    .string()
    .url()
    .optional()
    .describe(
      'Entra ID authority for sovereign clouds, e.g. `https://login.microsoftonline.us`, `https://login.chinacloudapi.cn` (default: `AZURE_AUTHORITY_HOST`, else the public cloud)',
    ),
  disableInstanceDiscovery: z
    .boolean()
    .default(false)
    .describe(
      "skip MSAL's question to `login.microsoftonline.com` whether the authority is a known cloud, asked before the first token; needed for an authority it cannot vouch for (Azure Stack Hub, a private or local token endpoint) and on a machine that cannot reach login.microsoftonline.com",
    ),
};

const credentialSchema = z
  .discriminatedUnion('type', [
    z
      .object({ type: z.literal('static-token'), token: z.string().min(1).describe('the bearer token') })
      .strict()
      .describe('a fixed bearer token (the local emulator, or a token minted outside siem-stream)'),
    z
      .object({
        type: z.literal('client-secret'),
        tenantId: z.string().min(1).describe('the Entra ID tenant (directory) id'),
        clientId: z.string().min(1).describe("the app registration's client (application) id"),
        clientSecret: z.coerce
          .string()
          .min(1)
          .optional()
          .describe(
            "the app registration's secret, best from the environment (`SIEM_STREAM__SINKS__<i>__CREDENTIAL__CLIENT_SECRET`); exactly one of `clientSecret` and `clientSecretFile`",
          ),
        clientSecretFile: z
          .string()
          .min(1)
          .optional()
          .describe('a file holding the secret (a mounted Kubernetes secret), read at start; a trailing newline is ignored'),
        ...authorityFields,
      })
      .strict()
      .describe('an app registration and its secret'),
    z
      .object({
        type: z.literal('managed-identity'),
        clientId: z.string().optional().describe('a user-assigned identity; without it the system-assigned one'),
      })
      .strict()
      .describe('the Azure managed identity of the host'),
    z
      .object({
        type: z.literal('workload-identity'),
        tenantId: z.string().optional().describe('default: `AZURE_TENANT_ID`'),
        clientId: z.string().optional().describe('default: `AZURE_CLIENT_ID`'),
        tokenFilePath: z.string().optional().describe('default: `AZURE_FEDERATED_TOKEN_FILE`'),
        ...authorityFields,
      })
      .strict()
      .describe('AKS workload identity; the defaults are the variables its webhook injects'),
    z
      .object({ type: z.literal('default') })
      .strict()
      .describe('`DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI, …)'),
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
    name: z.string().min(1).describe('the column name'),
    type: z.enum(['string', 'int', 'long', 'real', 'boolean', 'datetime', 'dynamic']).describe('the column type in the DCR'),
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
      .refine((u) => u.startsWith('https://'), 'an https:// data collection endpoint')
      .describe('the data collection endpoint, `https://<dce>.ingest.monitor.azure.com`'),
    dcrImmutableId: z.string().min(1).describe('the `dcr-…` immutable id of the data collection rule'),
    credential: credentialSchema.describe(
      'how the sink gets its token; the identity needs the **Monitoring Metrics Publisher** role on the DCR',
    ),
    audience: z
      .string()
      .url()
      .default('https://monitor.azure.com')
      .describe(
        'token scope `<audience>/.default`; sovereign clouds: `https://monitor.azure.us` (US Gov), `https://monitor.azure.cn` (China)',
      ),
    caFile: z
      .string()
      .optional()
      .describe(
        "an extra CA certificate (PEM file) to trust for this sink only: its uploads **and** its credential's token requests (the local emulator's and token endpoint's certificate, a TLS-inspecting proxy's CA)",
      ),
    requestTimeoutMs: z.number().int().positive().default(30_000).describe("one request's time limit; a timeout is retried"),
    streams: z
      .record(z.string().describe('EventSchema'), z.string().min(1))
      .refine((s) => '*' in s, 'must contain a "*" fallback stream')
      .describe('`EventSchema` → DCR stream name; `"*"` is the fallback and must be present'),
    columns: z
      .record(z.string().describe('stream'), z.array(columnSchema).min(1))
      .default({})
      .describe(
        'per stream, the columns the **deployed** DCR declares, when they differ from the ones generated from `schemas/` ([schema guard](sinks.md#schema-guard))',
      ),
    schemaGuard: z
      .object({
        undeclaredColumns: guardAction
          .default('report')
          .describe(
            'a column the stream does not declare (the API would drop it silently): `report` (metric + one log line per stream and column; the row is still sent) or `dlq`',
          ),
        typeMismatches: guardAction.default('dlq').describe("a value that does not fit its column's type"),
        oversizedFields: guardAction.default('dlq').describe('a value above the 64 KB field limit (the API would truncate it)'),
      })
      .strict()
      .default({})
      .describe('what happens to a row the Logs Ingestion API would silently alter ([schema guard](sinks.md#schema-guard))'),
  })
  .strict()
  .describe(
    'Microsoft Sentinel through the Azure Monitor Logs Ingestion API (DCE + DCR stream → custom table), one gzip request per batch ([sinks](sinks.md#microsoft-sentinel-type-sentinel))',
  );

export type SentinelSinkConfig = z.infer<typeof sentinelSinkSchema>;
