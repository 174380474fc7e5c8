import { z } from 'zod';

/**
 * How a client proves who it is to the brokers: TLS (with a client certificate for mutual TLS)
 * and SASL (a password, or OAuth 2.0 bearer tokens from an OIDC client-credentials endpoint).
 * Secrets come inline (an environment variable) or from a file (a mounted secret), never both.
 */
const exactlyOne = (a: unknown, b: unknown) => (a === undefined) !== (b === undefined);

export const kafkaSslSchema = z
  .object({
    rejectUnauthorized: z.boolean().default(true).describe("verify the brokers' certificates"),
    /** PEM file of the CA that signed the brokers' certificates (default: the system's CAs) */
    caFile: z.string().optional().describe('PEM file read at start; it **replaces** the CAs Node.js trusts for Kafka connections'),
    /** mutual TLS: PEM file of this client's certificate (chain), with keyFile */
    certFile: z
      .string()
      .min(1)
      .optional()
      .describe("mutual TLS: PEM file of this client's certificate (chain), read at start; set together with `keyFile`"),
    /** mutual TLS: PEM file of this client's private key, encrypted or not */
    keyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "mutual TLS: PEM file of this client's private key, encrypted (PKCS#8 or traditional) or not; set together with `certFile`",
      ),
    /** the passphrase of an encrypted keyFile (e.g. from SIEM_STREAM__KAFKA__SSL__KEY_PASSWORD), or… */
    keyPassword: z.coerce
      .string()
      .min(1)
      .optional()
      .describe(
        'the passphrase of an encrypted `keyFile`, best from `SIEM_STREAM__KAFKA__SSL__KEY_PASSWORD`; at most one of `keyPassword` and `keyPasswordFile`',
      ),
    /** …a file holding it; read at start, trailing newline ignored */
    keyPasswordFile: z
      .string()
      .min(1)
      .optional()
      .describe('a file holding the passphrase (a mounted secret), read at start; one trailing newline is ignored'),
  })
  .strict()
  .superRefine((ssl, ctx) => {
    if ((ssl.certFile === undefined) !== (ssl.keyFile === undefined)) {
      const missing = ssl.certFile === undefined ? 'certFile' : 'keyFile';
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [missing], message: 'mutual TLS needs both certFile and keyFile' });
    }
    if (ssl.keyPassword !== undefined && ssl.keyPasswordFile !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['keyPasswordFile'],
        message: 'set at most one of keyPassword and keyPasswordFile',
      });
    }
    if ((ssl.keyPassword ?? ssl.keyPasswordFile) !== undefined && ssl.keyFile === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['keyFile'], message: 'a key passphrase is set but no keyFile' });
    }
  });

const passwordSaslSchema = z
  .object({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1).describe('the SASL user'),
    /** the password itself (e.g. from SIEM_STREAM__KAFKA__SASL__PASSWORD), or… */
    password: z.coerce
      .string()
      .min(1)
      .optional()
      .describe('the password itself, best from `SIEM_STREAM__KAFKA__SASL__PASSWORD`; set exactly one of `password` and `passwordFile`'),
    /** …a file holding it (a mounted secret); read at start, trailing newline ignored */
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe('a file holding the password (a mounted secret), read at start; one trailing newline is ignored'),
  })
  .strict()
  .describe('a username and password');

const oauthBearerSaslSchema = z
  .object({
    mechanism: z.literal('oauthbearer'),
    /** the OIDC provider's token endpoint; tokens are requested with the client-credentials grant */
    tokenEndpointUrl: z
      .string()
      .url()
      .refine((u) => /^https:/i.test(u), 'an https:// URL (the client secret travels in the request)')
      .describe("the OIDC provider's token endpoint (https); tokens are requested with the client-credentials grant (client_secret_basic)"),
    clientId: z.string().min(1).describe('the OAuth client id'),
    /** the client secret itself (e.g. from SIEM_STREAM__KAFKA__SASL__CLIENT_SECRET), or… */
    clientSecret: z.coerce
      .string()
      .min(1)
      .optional()
      .describe(
        'the client secret itself, best from `SIEM_STREAM__KAFKA__SASL__CLIENT_SECRET`; set exactly one of `clientSecret` and `clientSecretFile`',
      ),
    /** …a file holding it (a mounted secret); read at start, trailing newline ignored */
    clientSecretFile: z
      .string()
      .min(1)
      .optional()
      .describe('a file holding the client secret (a mounted secret), read at start; one trailing newline is ignored'),
    /** space-separated scopes to request */
    scope: z.string().min(1).optional().describe('space-separated scopes to request'),
    /** PEM file of the CA that signed the token endpoint's certificate (default: the system's CAs) */
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of the CA that signed the token endpoint's certificate (default: the CAs Node.js trusts)"),
  })
  .strict()
  .describe('OAuth 2.0 bearer tokens from an OIDC client-credentials endpoint, refreshed before they expire');

export const kafkaSaslSchema = z.discriminatedUnion('mechanism', [passwordSaslSchema, oauthBearerSaslSchema]).superRefine((sasl, ctx) => {
  if (sasl.mechanism === 'oauthbearer') {
    if (!exactlyOne(sasl.clientSecret, sasl.clientSecretFile))
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'set exactly one of clientSecret and clientSecretFile' });
  } else if (!exactlyOne(sasl.password, sasl.passwordFile)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'set exactly one of password and passwordFile' });
  }
});

export type KafkaSslConfig = z.infer<typeof kafkaSslSchema>;
export type KafkaSaslConfig = z.infer<typeof kafkaSaslSchema>;
export type OAuthBearerSaslConfig = Extract<KafkaSaslConfig, { mechanism: 'oauthbearer' }>;
export type PasswordSaslConfig = Exclude<KafkaSaslConfig, { mechanism: 'oauthbearer' }>;
