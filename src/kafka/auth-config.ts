import { z } from 'zod';

/**
 * How a client proves who it is to the brokers: TLS (with a client certificate for mutual TLS)
 * and SASL (a password, or OAuth 2.0 bearer tokens from an OIDC client-credentials endpoint).
 * Secrets come inline (an environment variable) or from a file (a mounted secret), never both.
 */
const exactlyOne = (a: unknown, b: unknown) => (a === undefined) !== (b === undefined);

export const kafkaSslSchema = z
  .object({
    rejectUnauthorized: z.boolean().default(true),
    /** PEM file of the CA that signed the brokers' certificates (default: the system's CAs) */
    caFile: z.string().optional(),
    /** mutual TLS: PEM file of this client's certificate (chain), with keyFile */
    certFile: z.string().min(1).optional(),
    /** mutual TLS: PEM file of this client's private key, encrypted or not */
    keyFile: z.string().min(1).optional(),
    /** the passphrase of an encrypted keyFile (e.g. from SIEM_STREAM__KAFKA__SSL__KEY_PASSWORD), or… */
    keyPassword: z.coerce.string().min(1).optional(),
    /** …a file holding it; read at start, trailing newline ignored */
    keyPasswordFile: z.string().min(1).optional(),
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
    username: z.string().min(1),
    /** the password itself (e.g. from SIEM_STREAM__KAFKA__SASL__PASSWORD), or… */
    password: z.coerce.string().min(1).optional(),
    /** …a file holding it (a mounted secret); read at start, trailing newline ignored */
    passwordFile: z.string().min(1).optional(),
  })
  .strict();

const oauthBearerSaslSchema = z
  .object({
    mechanism: z.literal('oauthbearer'),
    /** the OIDC provider's token endpoint; tokens are requested with the client-credentials grant */
    tokenEndpointUrl: z
      .string()
      .url()
      .refine((u) => /^https:/i.test(u), 'an https:// URL (the client secret travels in the request)'),
    clientId: z.string().min(1),
    /** the client secret itself (e.g. from SIEM_STREAM__KAFKA__SASL__CLIENT_SECRET), or… */
    clientSecret: z.coerce.string().min(1).optional(),
    /** …a file holding it (a mounted secret); read at start, trailing newline ignored */
    clientSecretFile: z.string().min(1).optional(),
    /** space-separated scopes to request */
    scope: z.string().min(1).optional(),
    /** PEM file of the CA that signed the token endpoint's certificate (default: the system's CAs) */
    caFile: z.string().min(1).optional(),
  })
  .strict();

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
