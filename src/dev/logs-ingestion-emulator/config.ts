import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The column types a DCR stream declaration may use. */
export const columnTypeSchema = z.enum(['string', 'int', 'long', 'real', 'boolean', 'datetime', 'dynamic']);
export type ColumnType = z.infer<typeof columnTypeSchema>;

export const columnSchema = z.object({ name: z.string().min(1), type: columnTypeSchema }).strict();
export type Column = z.infer<typeof columnSchema>;

export const streamDeclarationSchema = z
  .object({
    columns: z.array(columnSchema),
    outputTable: z.string().min(1),
  })
  .strict();
export type StreamDeclaration = z.infer<typeof streamDeclarationSchema>;

export const dcrSchema = z.object({ streams: z.record(z.string().min(1), streamDeclarationSchema) }).strict();
export type DcrDeclaration = z.infer<typeof dcrSchema>;

/** The documented service limit: "Maximum size of API call: 1 MB". */
export const MAX_REQUEST_BYTES = 1_048_576;

export const limitsSchema = z
  .object({
    /** bytes on the wire (the gzip size when Content-Encoding is gzip); above → 413 */
    maxRequestBytes: z.number().int().positive().default(MAX_REQUEST_BYTES),
    /**
     * bytes after gunzip; above → 413. The default only guards memory against gzip bombs; set it
     * to 1048576 to emulate the stricter reading of the docs (1 MB uncompressed as well).
     */
    maxDecompressedBytes: z
      .number()
      .int()
      .positive()
      .default(64 * MAX_REQUEST_BYTES),
  })
  .strict();
export type EmulatorLimits = z.infer<typeof limitsSchema>;

/** Verifies bearer tokens as Entra ID access tokens, e.g. those of the local token endpoint (src/dev/token-endpoint/). */
export const entraIdSchema = z
  .object({
    /** the signing keys of the token issuer */
    jwks: z.object({ keys: z.array(z.object({ kid: z.string().min(1), kty: z.literal('RSA') }).passthrough()).min(1) }).strict(),
    /** accepted `iss` values */
    issuers: z.array(z.string().min(1)).min(1),
    /** the `tid` every token must carry */
    tenantId: z.string().min(1),
    /** accepted `aud` values: the Azure Monitor resource, with and without the trailing slash */
    audiences: z.array(z.string().min(1)).min(1).default(['https://monitor.azure.com', 'https://monitor.azure.com/']),
    /** app ids (`appid`) with the role on the DCR; others get 403. Absent: any app of the tenant */
    allowedClients: z.array(z.string().min(1)).optional(),
    clockSkewSeconds: z.number().int().min(0).default(300),
  })
  .strict();

export const emulatorConfigSchema = z
  .object({
    /** 0 = an ephemeral port */
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    /** where emulator-cert.pem / emulator-key.pem are loaded from, or written to when absent */
    certDir: z.string().min(1).optional(),
    /** every accepted record is appended here as one JSON line */
    recordsFile: z.string().min(1).optional(),
    /** a bearer token accepted as it is; when neither it nor entraId is set, any non-empty bearer token is */
    token: z.string().min(1).optional(),
    /** verify bearer tokens as Entra ID access tokens (signature, issuer, tenant, audience, expiry) */
    entraId: entraIdSchema.optional(),
    dcrs: z.record(z.string().min(1), dcrSchema),
    limits: limitsSchema.default({}),
  })
  .strict();

export type EmulatorConfigInput = z.input<typeof emulatorConfigSchema>;
export type EmulatorConfig = z.output<typeof emulatorConfigSchema>;

export function parseEmulatorConfig(input: unknown, source = 'emulator config'): EmulatorConfig {
  const parsed = emulatorConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`invalid ${source}:\n${issues}`);
  }
  return parsed.data;
}

export function loadEmulatorConfigFile(path: string): EmulatorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read emulator config ${path}: ${(err as Error).message}`);
  }
  return parseEmulatorConfig(raw, `emulator config ${path}`);
}
