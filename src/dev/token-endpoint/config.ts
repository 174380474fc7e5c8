import { z } from 'zod';

/** The public keys of a JWKS, as the federated issuer (a Kubernetes cluster's OIDC issuer) publishes them. */
const jwksSchema = z.object({ keys: z.array(z.object({ kid: z.string().min(1), kty: z.literal('RSA') }).passthrough()).min(1) }).strict();

/**
 * A federated identity credential of an app registration: Entra ID trusts a token from `issuer`
 * with this `subject` and `audience` as the app's client assertion (AKS workload identity).
 */
const federatedCredentialSchema = z
  .object({
    issuer: z.string().min(1),
    /** e.g. system:serviceaccount:<namespace>:<service account> */
    subject: z.string().min(1),
    audience: z.string().min(1).default('api://AzureADTokenExchange'),
    /** the issuer's signing keys; Entra ID would fetch them from the issuer's jwks_uri */
    jwks: jwksSchema,
  })
  .strict();

const clientSchema = z
  .object({
    clientId: z.string().min(1),
    /** the service principal's object id (`oid` of its tokens); default: derived from clientId */
    objectId: z.string().min(1).optional(),
    /** a client secret the app accepts; several may be valid at once, as during a rotation */
    secrets: z.array(z.string().min(1)).default([]),
    federatedCredentials: z.array(federatedCredentialSchema).default([]),
  })
  .strict();

const managedIdentitySchema = z
  .object({
    /** the App Service secret every request must carry in X-IDENTITY-HEADER (IDENTITY_HEADER) */
    identityHeader: z.string().min(1),
    /** the first is the system-assigned identity; the others are user-assigned, chosen by client_id */
    identities: z.array(z.object({ clientId: z.string().min(1), objectId: z.string().min(1).optional() }).strict()).min(1),
  })
  .strict();

export const tokenEndpointConfigSchema = z
  .object({
    /** 0 = an ephemeral port */
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    /** where the TLS certificate is kept; the Logs Ingestion emulator's certDir shares one certificate (one caFile) */
    certDir: z.string().min(1).optional(),
    tenantId: z.string().min(1),
    /** resources tokens are issued for (scope `<resource>/.default`); the token's `aud` */
    resources: z.array(z.string().min(1)).min(1).default(['https://monitor.azure.com']),
    tokenLifetimeSeconds: z.number().int().positive().default(3_600),
    clients: z.array(clientSchema).default([]),
    /** an App Service-style managed identity endpoint (IDENTITY_ENDPOINT, plain HTTP on loopback as on App Service) */
    managedIdentity: managedIdentitySchema.optional(),
  })
  .strict();

export type TokenEndpointConfigInput = z.input<typeof tokenEndpointConfigSchema>;
export type TokenEndpointConfig = z.output<typeof tokenEndpointConfigSchema>;
export type ClientRegistration = TokenEndpointConfig['clients'][number];
export type FederatedCredential = ClientRegistration['federatedCredentials'][number];

export function parseTokenEndpointConfig(input: unknown): TokenEndpointConfig {
  const parsed = tokenEndpointConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`invalid token endpoint config:\n${issues}`);
  }
  return parsed.data;
}
