import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devEntry, startNodeUnit } from '../node-unit.js';
import { runningPid, stackPaths } from '../stack/process-files.js';
import type { OidcIssuerConfig } from './main.js';
import { JWKS_PATH, TOKEN_PATH } from './server.js';

/** The stack's identity provider: where a client gets tokens, where the broker gets the keys to check them. */
export interface OidcIssuerEndpoint {
  issuer: string;
  tokenEndpointUrl: string;
  jwksUrl: string;
  /** the issuer's certificate (self-signed, its own CA) to trust */
  caFile: string;
  /** the audience the brokers expect */
  audience: string;
  clientId: string;
  /** 0600, made when the stack starts from clean; the secret is not written anywhere else */
  clientSecretFile: string;
  /** a client whose tokens name another audience: the brokers refuse them */
  otherAudienceClient: { clientId: string; clientSecretFile: string; audience: string };
}

export const OIDC_ISSUER_UNIT = 'oidc-issuer';
export const KAFKA_AUDIENCE = 'siem-stream-kafka';
const CLIENT_ID = 'siem-stream';
const OTHER_CLIENT_ID = 'siem-stream-other-audience';
const endpointFile = (home: string) => join(stackPaths(home).run, 'oidc-issuer.json');

function secretFile(home: string, name: string): string {
  const file = join(stackPaths(home).data, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  return file;
}

/** Starts the issuer (or finds it running) as a unit of the stack home. */
export async function startOidcIssuerUnit(home: string, port: number, onProgress?: (msg: string) => void): Promise<OidcIssuerEndpoint> {
  const known = readOidcIssuerEndpoint(home);
  if (runningPid(home, OIDC_ISSUER_UNIT) !== undefined && known) return known;
  const { data, conf } = stackPaths(home);
  mkdirSync(data, { recursive: true });
  mkdirSync(join(conf, 'oidc-issuer'), { recursive: true });
  const signingKeyFile = join(conf, 'oidc-issuer', 'signing-key.pem');
  if (!existsSync(signingKeyFile)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(signingKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const clientSecretFile = secretFile(home, 'oidc-client-secret');
  const other = { clientId: OTHER_CLIENT_ID, clientSecretFile: secretFile(home, 'oidc-other-client-secret'), audience: 'another-api' };
  onProgress?.(`starting OIDC issuer (client credentials, RS256) on https://127.0.0.1:${port}`);
  const config: OidcIssuerConfig = {
    host: '127.0.0.1',
    port,
    certDir: join(conf, 'oidc-issuer', 'tls'),
    signingKeyFile,
    clients: [{ clientId: CLIENT_ID, clientSecretFile, audience: KAFKA_AUDIENCE }, other],
    tokenLifetimeSeconds: 3600,
  };
  const configFile = join(conf, 'oidc-issuer', 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const line = await startNodeUnit(home, OIDC_ISSUER_UNIT, devEntry('oidc-issuer/main.js'), configFile);
  const started = JSON.parse(line) as { url: string; caCertPath: string };
  const endpoint: OidcIssuerEndpoint = {
    issuer: started.url,
    tokenEndpointUrl: `${started.url}${TOKEN_PATH}`,
    jwksUrl: `${started.url}${JWKS_PATH}`,
    caFile: started.caCertPath,
    audience: KAFKA_AUDIENCE,
    clientId: CLIENT_ID,
    clientSecretFile,
    otherAudienceClient: other,
  };
  writeFileSync(endpointFile(home), JSON.stringify(endpoint));
  return endpoint;
}

export function readOidcIssuerEndpoint(home: string): OidcIssuerEndpoint | undefined {
  return existsSync(endpointFile(home)) ? (JSON.parse(readFileSync(endpointFile(home), 'utf8')) as OidcIssuerEndpoint) : undefined;
}
