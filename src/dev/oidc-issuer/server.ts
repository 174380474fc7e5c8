import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import { type ListeningServer, listenHttps } from '../listen-https.js';
import type { EmulatorCertificate } from '../logs-ingestion-emulator/certificate.js';
import { jwks, type RsaSigningKey, signJwt } from './jwt-signer.js';

/** A registered client: its secret and the audience its tokens are for. */
export interface OidcClient {
  clientId: string;
  clientSecret: string;
  audience: string;
}

export interface OidcIssuerOptions {
  host: string;
  port: number;
  certificate: EmulatorCertificate;
  key: RsaSigningKey;
  clients: OidcClient[];
  tokenLifetimeSeconds: number;
  logger: Logger;
}

export const TOKEN_PATH = '/token';
export const JWKS_PATH = '/jwks';
export const STATS_PATH = '/_oidc/stats';
/** the tokens issued last, so a test can look for them where they must not be (logs, metrics) */
export const ISSUED_PATH = '/_oidc/issued';
const KEEP_ISSUED = 200;

interface Stats {
  issued: number;
  refused: number;
}

/**
 * An OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4) that issues RS256 JWTs, and the
 * JWKS that verifies them: the identity provider a Kafka cluster with OAUTHBEARER trusts.
 */
export function startOidcIssuer(options: OidcIssuerOptions): Promise<ListeningServer> {
  const stats: Stats = { issued: 0, refused: 0 };
  const issued: string[] = [];
  const issuer = `https://${options.host}:${options.port}`;
  return listenHttps({ ...options, what: 'OIDC issuer' }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    if (req.method === 'GET' && path === JWKS_PATH) return json(res, 200, jwks(options.key));
    if (req.method === 'GET' && path === STATS_PATH) return json(res, 200, stats);
    if (req.method === 'GET' && path === ISSUED_PATH) return json(res, 200, { tokens: issued });
    if (req.method === 'POST' && path === TOKEN_PATH) {
      readForm(req).then(
        (form) => {
          const token = issueToken(req, res, form, { ...options, issuer, stats });
          if (token) issued.push(token);
          if (issued.length > KEEP_ISSUED) issued.shift();
        },
        (err: Error) => json(res, 400, { error: 'invalid_request', error_description: err.message }),
      );
      return;
    }
    req.resume();
    json(res, 404, { error: 'not_found' });
  });
}

function issueToken(
  req: IncomingMessage,
  res: ServerResponse,
  form: URLSearchParams,
  ctx: OidcIssuerOptions & { issuer: string; stats: Stats },
): string | undefined {
  if (form.get('grant_type') !== 'client_credentials') {
    ctx.stats.refused++;
    json(res, 400, { error: 'unsupported_grant_type' });
    return;
  }
  const presented = clientCredentials(req.headers.authorization, form);
  const client = ctx.clients.find((c) => c.clientId === presented?.clientId);
  if (!presented || !client || !sameSecret(client.clientSecret, presented.clientSecret)) {
    ctx.stats.refused++;
    ctx.logger.info({ clientId: presented?.clientId }, 'token request refused: unknown client or wrong secret');
    res.setHeader('www-authenticate', 'Basic realm="token"');
    json(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
    return;
  }
  const now = Math.floor(Date.now() / 1000);
  const scope = form.get('scope') ?? '';
  const token = signJwt(ctx.key, {
    iss: ctx.issuer,
    sub: client.clientId,
    aud: client.audience,
    iat: now,
    nbf: now,
    exp: now + ctx.tokenLifetimeSeconds,
    jti: randomUUID(),
    scope,
  });
  ctx.stats.issued++;
  json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ctx.tokenLifetimeSeconds, scope });
  return token;
}

/** client_secret_basic (RFC 6749 §2.3.1: form-urlencoded id and secret) or client_secret_post. */
function clientCredentials(
  authorization: string | undefined,
  form: URLSearchParams,
): { clientId: string; clientSecret: string } | undefined {
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) reject(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
