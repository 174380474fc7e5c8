import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { readSecretFile } from '../config/secret-file.js';
import { SiemStreamError } from '../errors.js';
import type { OAuthBearerSaslConfig } from './auth-config.js';

/** A bearer token for SASL/OAUTHBEARER and what librdkafka needs to know about it. */
export interface OAuthBearerToken {
  value: string;
  /** epoch milliseconds */
  expiresAtMs: number;
  /** the token's subject (`sub`), else the client id */
  principal: string;
}

/** A token is reused until this share of its lifetime has passed, as Kafka's own login refresher does by default. */
const REFRESH_AT_SHARE = 0.8;
const REQUEST_TIMEOUT_MS = 15_000;

interface Cached {
  token?: OAuthBearerToken;
  refreshAtMs: number;
  pending?: Promise<OAuthBearerToken>;
}

/** One cache per client identity, so the clients and admin calls of a process share one token. */
const cache = new Map<string, Cached>();

/**
 * The current token for `config`, fetched from its OIDC token endpoint with the client-credentials
 * grant (RFC 6749 §4.4, client_secret_basic) when there is none yet or it is near its end.
 * A refusal is a CONFIG_INVALID error naming the endpoint and the client, never the secret.
 */
export function oauthBearerToken(config: OAuthBearerSaslConfig): Promise<OAuthBearerToken> {
  const secret = config.clientSecret ?? readSecretFile(config.clientSecretFile as string, 'kafka.sasl.clientSecretFile');
  const key = [config.tokenEndpointUrl, config.clientId, config.scope ?? '', createHash('sha256').update(secret).digest('hex')].join('\0');
  const entry = cache.get(key) ?? { refreshAtMs: 0 };
  cache.set(key, entry);
  if (entry.token && Date.now() < entry.refreshAtMs) return Promise.resolve(entry.token);
  entry.pending ??= requestToken(config, secret)
    .then((token) => {
      entry.token = token;
      entry.refreshAtMs = Date.now() + (token.expiresAtMs - Date.now()) * REFRESH_AT_SHARE;
      return token;
    })
    .finally(() => {
      entry.pending = undefined;
    });
  return entry.pending;
}

async function requestToken(config: OAuthBearerSaslConfig, secret: string): Promise<OAuthBearerToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(config.scope ? { scope: config.scope } : {}) });
  const basic = Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  const ca = config.caFile === undefined ? undefined : readSecretFile(config.caFile, 'kafka.sasl.caFile');
  const where = `the OIDC token endpoint ${config.tokenEndpointUrl} (client "${config.clientId}")`;
  let answer: { status: number; body: string };
  try {
    answer = await post(config.tokenEndpointUrl, form.toString(), basic, ca);
  } catch (cause) {
    // a certificate that is not trusted needs a config change (kafka.sasl.caFile); anything else may pass
    const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test((cause as NodeJS.ErrnoException).code ?? '');
    const hint = untrusted ? '; set kafka.sasl.caFile to the CA that signed its certificate' : '';
    throw new SiemStreamError(
      untrusted ? 'CONFIG_INVALID' : 'KAFKA_TRANSIENT',
      `kafka.sasl: ${where} could not be reached: ${(cause as Error).message}${hint}`,
      {
        cause,
      },
    );
  }
  const body = parseJson(answer.body);
  if (answer.status !== 200) {
    const reason = [body?.error, body?.error_description].filter((v) => typeof v === 'string').join(': ') || `HTTP ${answer.status}`;
    const code = answer.status >= 500 || answer.status === 429 ? 'KAFKA_TRANSIENT' : 'CONFIG_INVALID';
    throw new SiemStreamError(code, `kafka.sasl: ${where} refused the token request (HTTP ${answer.status}, ${reason})`);
  }
  const value = body?.access_token;
  const expiresIn = Number(body?.expires_in ?? 3600);
  if (typeof value !== 'string' || value === '')
    throw new SiemStreamError('CONFIG_INVALID', `kafka.sasl: ${where} answered without an access_token`);
  return { value, expiresAtMs: Date.now() + expiresIn * 1000, principal: subjectOf(value) ?? config.clientId };
}

function post(url: string, body: string, basic: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        timeout: REQUEST_TIMEOUT_MS,
        ...(ca === undefined ? {} : { ca }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `sub` claim of a JWT access token (not verified: the broker does that); undefined for opaque tokens. */
function subjectOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  const sub = parseJson(Buffer.from(payload, 'base64url').toString('utf8'))?.sub;
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}
