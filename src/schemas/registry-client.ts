import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readSecretFile } from '../config/secret-file.js';
import { SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { SchemaRegistryConfig } from './registry-config.js';

interface RegistryTransport {
  auth?: { username: string; password: string };
  /** only for https: the trust (caFile, rejectUnauthorized) every request uses */
  agent?: HttpsAgent;
}

/** What every request to the registry carries: basic auth and, for https, the TLS trust. */
function registryTransport(config: SchemaRegistryConfig): RegistryTransport {
  const transport: RegistryTransport = {};
  if (config.auth) {
    const { username, password, passwordFile } = config.auth;
    transport.auth = { username, password: password ?? readSecretFile(passwordFile as string, 'schemaRegistry.auth.passwordFile') };
  }
  if (/^https:/i.test(config.url)) {
    const { caFile, rejectUnauthorized = true } = config.tls ?? {};
    const ca = caFile === undefined ? undefined : readSecretFile(caFile, 'schemaRegistry.tls.caFile');
    transport.agent = new HttpsAgent({ keepAlive: true, rejectUnauthorized, ...(ca === undefined ? {} : { ca }) });
  }
  return transport;
}

/** The one place a registry client is built: every stage and tool goes through here. */
export function createRegistry(config: SchemaRegistryConfig): SchemaRegistry {
  const { auth, agent } = registryTransport(config);
  return new SchemaRegistry({ host: config.url, ...(auth ? { auth } : {}), ...(agent ? { agent } : {}) });
}

interface SubjectConfigApi {
  api: { Subject: { updateConfig(args: { subject: string; body: { compatibility: string } }): Promise<unknown> } };
}

/**
 * PUT /config/{subject}: the request the client itself makes after a first registration, through
 * the same connection (auth, TLS); its API object is not part of its typings.
 */
export async function setSubjectCompatibility(registry: SchemaRegistry, subject: string, compatibility: 'BACKWARD'): Promise<void> {
  await (registry as unknown as SubjectConfigApi).api.Subject.updateConfig({ subject, body: { compatibility } });
}

/** Node's codes for a certificate it would not trust (self-signed, unknown issuer, expired, wrong host). */
const UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * One authenticated `GET /subjects` before a stage starts, so credentials the registry refuses
 * or a certificate that is not trusted fail the start with a message saying what to fix, instead
 * of an HTTP error deep in the first encode or decode. Anything else (the registry not up yet, a
 * 5xx) is only logged: the stage retries as it would have without this check.
 */
export async function checkRegistryAccess(config: SchemaRegistryConfig, logger: Logger): Promise<void> {
  const { auth, agent } = registryTransport(config);
  const url = new URL(`${config.url.replace(/\/$/, '')}/subjects`);
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  let status: number;
  try {
    status = await getStatus(url, headers, agent);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (UNTRUSTED_CERTIFICATE.test(code)) {
      throw new SiemStreamError(
        'REGISTRY_REFUSED',
        `schema registry ${config.url}: its TLS certificate is not trusted (${code}: ${(error as Error).message}); ` +
          'set schemaRegistry.tls.caFile to the CA that signed it (or, for a test setup only, schemaRegistry.tls.rejectUnauthorized: false)',
        { cause: error },
      );
    }
    logger.warn({ err: error, registry: config.url }, 'schema registry not reachable yet; the stage retries when it needs it');
    return;
  } finally {
    agent?.destroy();
  }
  if (status === 401 || status === 403) {
    const who = auth ? `the credentials of user "${auth.username}"` : 'a request without credentials (set schemaRegistry.auth)';
    throw new SiemStreamError('REGISTRY_REFUSED', `schema registry ${config.url} refused ${who}: HTTP ${status}`);
  }
  if (status >= 300) logger.warn({ status, registry: config.url }, 'schema registry answered the access check with an error');
}

function getStatus(url: URL, headers: Record<string, string>, agent: HttpsAgent | undefined): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, ...(agent ? { agent } : {}), timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
