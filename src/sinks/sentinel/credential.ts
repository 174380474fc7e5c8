import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential, WorkloadIdentityCredential } from '@azure/identity';
import type { SentinelSinkConfig } from './config.js';

/** A fixed bearer token: for the local emulator, or a token minted outside siem-stream. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export function createCredential(config: SentinelSinkConfig['credential']): TokenCredential {
  switch (config.type) {
    case 'static-token':
      return new StaticTokenCredential(config.token);
    case 'client-secret':
      return new ClientSecretCredential(
        config.tenantId,
        config.clientId,
        config.clientSecret,
        config.authorityHost ? { authorityHost: config.authorityHost } : {},
      );
    case 'managed-identity':
      return config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new ManagedIdentityCredential();
    case 'workload-identity':
      return new WorkloadIdentityCredential({
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(config.clientId ? { clientId: config.clientId } : {}),
        ...(config.tokenFilePath ? { tokenFilePath: config.tokenFilePath } : {}),
      });
    case 'default':
      return new DefaultAzureCredential();
  }
}
