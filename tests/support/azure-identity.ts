import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigningKey, jwksOf, signJwt } from '../../src/dev/jwt/jwt.js';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import { startTokenEndpoint, type TokenEndpoint } from '../../src/dev/token-endpoint/index.js';
import { startTestEmulator } from '../integration/sink-harness.js';

export const TENANT_ID = '5f1c0b9e-0000-4000-8000-00000000e001';
export const SECRET_APP = '5f1c0b9e-0000-4000-8000-00000000a001';
export const WORKLOAD_APP = '5f1c0b9e-0000-4000-8000-00000000a002';
export const MANAGED_IDENTITY = '5f1c0b9e-0000-4000-8000-00000000a003';
const K8S_ISSUER = 'https://oidc.siem-stream.test/cluster';
const SERVICE_ACCOUNT = 'system:serviceaccount:siem:siem-stream';

export type CredentialPath = 'client-secret' | 'client-secret-file' | 'workload-identity' | 'managed-identity';

/**
 * A local Entra ID (the token endpoint: one app with a secret, one with a federated credential for
 * a Kubernetes service account, one App Service managed identity) and a Logs Ingestion emulator
 * that accepts only tokens it signed for those three apps. One certificate serves both, so the
 * sink's caFile trusts the token requests and the uploads.
 */
export interface AzureIdentityTestbed {
  endpoint: TokenEndpoint;
  emulator: LogsIngestionEmulator;
  clientSecret: string;
  clientSecretFile: string;
  identityHeader: string;
  /** the projected service account token (the federated assertion) */
  federatedTokenFile: string;
  serviceAccountToken: string;
  /** the sink's credential settings and the environment the stage needs, for one path */
  credential(path: CredentialPath): { credential: Record<string, unknown>; env: Record<string, string>; clientId: string };
  /** every secret that must stay out of logs and metrics: the credentials and every token issued so far */
  secrets(): string[];
  stop(): Promise<void>;
}

export async function startAzureIdentityTestbed(): Promise<AzureIdentityTestbed> {
  const dir = mkdtempSync(join(tmpdir(), 'siem-azure-id-'));
  const clientSecret = `sEcr3t~${Math.random().toString(36).slice(2)}.${Date.now().toString(36)}`;
  const identityHeader = `mi-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const clusterKey = createSigningKey('cluster-key-1');
  const now = Math.floor(Date.now() / 1000);
  const serviceAccountToken = signJwt(
    { iss: K8S_ISSUER, sub: SERVICE_ACCOUNT, aud: ['api://AzureADTokenExchange'], iat: now, nbf: now, exp: now + 24 * 3600 },
    clusterKey,
  );
  const clientSecretFile = join(dir, 'client-secret');
  writeFileSync(clientSecretFile, `${clientSecret}\n`, { mode: 0o600 });
  const federatedTokenFile = join(dir, 'azure-identity-token');
  writeFileSync(federatedTokenFile, serviceAccountToken, { mode: 0o600 });

  const endpoint = await startTokenEndpoint({
    certDir: dir,
    tenantId: TENANT_ID,
    clients: [
      { clientId: SECRET_APP, secrets: [clientSecret] },
      { clientId: WORKLOAD_APP, federatedCredentials: [{ issuer: K8S_ISSUER, subject: SERVICE_ACCOUNT, jwks: jwksOf(clusterKey) }] },
    ],
    managedIdentity: { identityHeader, identities: [{ clientId: MANAGED_IDENTITY }] },
  });
  const emulator = await startTestEmulator(dir, {}, 0, {
    entraId: {
      jwks: endpoint.jwks,
      issuers: [endpoint.issuer],
      tenantId: TENANT_ID,
      allowedClients: [SECRET_APP, WORKLOAD_APP, MANAGED_IDENTITY],
    },
  });
  const authority = { tenantId: TENANT_ID, authorityHost: endpoint.url, disableInstanceDiscovery: true };
  return {
    endpoint,
    emulator,
    clientSecret,
    clientSecretFile,
    identityHeader,
    federatedTokenFile,
    serviceAccountToken,
    credential(path): { credential: Record<string, unknown>; env: Record<string, string>; clientId: string } {
      switch (path) {
        case 'client-secret':
          return { credential: { type: 'client-secret', clientId: SECRET_APP, clientSecret, ...authority }, env: {}, clientId: SECRET_APP };
        case 'client-secret-file':
          return {
            credential: { type: 'client-secret', clientId: SECRET_APP, clientSecretFile, ...authority },
            env: {},
            clientId: SECRET_APP,
          };
        case 'workload-identity':
          // as the AKS webhook does it: the identity in the environment, the rest in the topology
          return {
            credential: { type: 'workload-identity', authorityHost: endpoint.url, disableInstanceDiscovery: true },
            env: { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: WORKLOAD_APP, AZURE_FEDERATED_TOKEN_FILE: federatedTokenFile },
            clientId: WORKLOAD_APP,
          };
        case 'managed-identity':
          return {
            credential: { type: 'managed-identity' },
            env: { IDENTITY_ENDPOINT: endpoint.managedIdentityEndpoint as string, IDENTITY_HEADER: identityHeader },
            clientId: MANAGED_IDENTITY,
          };
      }
    },
    secrets: () => [clientSecret, identityHeader, serviceAccountToken, ...endpoint.issued.map((i) => i.token)],
    stop: async () => {
      await Promise.all([endpoint.stop(), emulator.stop()]);
    },
  };
}
