import { rootCertificates } from 'node:tls';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredentialOptions,
  WorkloadIdentityCredential,
} from '@azure/identity';
import { readSecretFile } from '../../config/secret-file.js';
import type { SentinelSinkConfig } from './config.js';
import { credentialFailure } from './credential-failure.js';
import { TokenRequestRecorder } from './token-request-outcome.js';

type CredentialConfig = SentinelSinkConfig['credential'];

/** A fixed bearer token: for the local emulator, or a token minted outside siem-stream. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/**
 * The configured credential, trusting `caPem` (the sink's caFile) for its token requests too, and
 * failing with the project's errors: DESTINATION_MISCONFIGURED when the identity provider refused
 * it, DESTINATION_UNAVAILABLE when it could not be reached (credential-failure.ts).
 */
export function createCredential(config: CredentialConfig, options: { caPem?: string; stage?: string } = {}): TokenCredential {
  if (config.type === 'static-token') return new StaticTokenCredential(config.token);
  const recorder = new TokenRequestRecorder();
  const common: TokenCredentialOptions = {
    additionalPolicies: [{ policy: recorder.policy, position: 'perCall' }],
    ...(options.caPem ? { tlsOptions: { ca: [...rootCertificates, options.caPem] } } : {}),
  };
  return new CheckedCredential(azureCredential(config, common, options.stage), recorder, describeCredential(config), options.stage);
}

function azureCredential(
  config: Exclude<CredentialConfig, { type: 'static-token' }>,
  common: TokenCredentialOptions,
  stage?: string,
): TokenCredential {
  switch (config.type) {
    case 'client-secret': {
      const field = `sink ${stage ?? ''} credential.clientSecretFile`.replace('  ', ' ');
      const secret = config.clientSecret ?? readSecretFile(config.clientSecretFile as string, field);
      return new ClientSecretCredential(config.tenantId, config.clientId, secret, { ...common, ...authority(config) });
    }
    case 'managed-identity':
      return config.clientId
        ? new ManagedIdentityCredential({ ...common, clientId: config.clientId })
        : new ManagedIdentityCredential(common);
    case 'workload-identity':
      return new WorkloadIdentityCredential({
        ...common,
        ...authority(config),
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(config.clientId ? { clientId: config.clientId } : {}),
        ...(config.tokenFilePath ? { tokenFilePath: config.tokenFilePath } : {}),
      });
    case 'default':
      return new DefaultAzureCredential(common);
  }
}

function authority(config: { authorityHost?: string | undefined; disableInstanceDiscovery: boolean }) {
  return {
    ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
    disableInstanceDiscovery: config.disableInstanceDiscovery,
  };
}

/** For error messages: the kind of credential and whose it is, never a secret. */
function describeCredential(config: Exclude<CredentialConfig, { type: 'static-token' }>): string {
  const client = 'clientId' in config && config.clientId ? ` for client ${config.clientId}` : '';
  return `credential ${config.type}${client}`;
}

class CheckedCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly recorder: TokenRequestRecorder,
    private readonly what: string,
    private readonly stage: string | undefined,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.recorder.last = undefined;
    try {
      return await this.inner.getToken(scopes, options);
    } catch (error) {
      // a stop cut the request short: not the credential's fault
      if (options?.abortSignal?.aborted || (error as Error).name === 'AbortError') throw error;
      throw credentialFailure(error, this.what, this.recorder.last, this.stage);
    }
  }
}
