import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorGet } from '../emulator-stats.js';
import { devEntry, startNodeUnit } from '../node-unit.js';
import { runningPid, stackPaths } from '../stack/process-files.js';
import type { RegistryProxyConfig } from './main.js';
import { HEALTH_PATH } from './server.js';

/** The registry a second way: HTTPS (a certificate made for this stack) with HTTP basic auth. */
export interface SecureRegistryEndpoint {
  url: string;
  username: string;
  /** 0600, made when the stack starts from clean; the password is not written anywhere else */
  passwordFile: string;
  /** the proxy's certificate (self-signed, its own CA) to trust */
  caFile: string;
}

export const REGISTRY_PROXY_UNIT = 'registry-proxy';
export const REGISTRY_USER = 'siem-stream';
const endpointFile = (home: string) => join(stackPaths(home).run, 'registry-proxy.json');

/** Starts the proxy in front of `registryUrl` (or finds it running) as a unit of the stack home. */
export async function startRegistryProxyUnit(
  home: string,
  port: number,
  registryUrl: string,
  onProgress?: (msg: string) => void,
): Promise<SecureRegistryEndpoint> {
  const known = readRegistryProxyEndpoint(home);
  if (runningPid(home, REGISTRY_PROXY_UNIT) !== undefined && known) return known;
  const { data, conf } = stackPaths(home);
  mkdirSync(data, { recursive: true });
  mkdirSync(conf, { recursive: true });
  const passwordFile = join(data, 'registry-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  onProgress?.(`starting registry proxy (HTTPS, basic auth) on https://127.0.0.1:${port}`);
  const upstream = new URL(registryUrl);
  const config: RegistryProxyConfig = {
    host: '127.0.0.1',
    port,
    upstream: upstream.origin,
    certDir: join(conf, 'registry-tls'),
    username: REGISTRY_USER,
    passwordFile,
    apiPath: upstream.pathname,
  };
  const configFile = join(conf, 'registry-proxy.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const line = await startNodeUnit(home, REGISTRY_PROXY_UNIT, devEntry('registry-proxy/main.js'), configFile);
  const started = JSON.parse(line) as { url: string; caCertPath: string };
  const endpoint = { url: started.url, username: REGISTRY_USER, passwordFile, caFile: started.caCertPath };
  writeFileSync(endpointFile(home), JSON.stringify(endpoint));
  return endpoint;
}

export function readRegistryProxyEndpoint(home: string): SecureRegistryEndpoint | undefined {
  return existsSync(endpointFile(home)) ? (JSON.parse(readFileSync(endpointFile(home), 'utf8')) as SecureRegistryEndpoint) : undefined;
}

/** The proxy answers over TLS and the registry behind it answers too. */
export async function registryProxyHealthy(endpoint: SecureRegistryEndpoint): Promise<boolean> {
  return emulatorGet(new URL(endpoint.url).origin, endpoint.caFile, HEALTH_PATH).then(
    () => true,
    () => false,
  );
}
