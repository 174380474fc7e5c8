import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Logger } from '../../observability/logger.js';
import { type ListeningServer, listenHttps } from '../listen-https.js';
import type { EmulatorCertificate } from '../logs-ingestion-emulator/certificate.js';
import { BASIC_CHALLENGE, type BasicCredentials, basicAuthChecker } from './basic-auth.js';

export interface RegistryProxyOptions {
  host: string;
  port: number;
  /** the registry's plain-HTTP origin, e.g. http://127.0.0.1:18081 */
  upstream: string;
  certificate: EmulatorCertificate;
  credentials: BasicCredentials;
  logger: Logger;
}

export type RunningRegistryProxy = ListeningServer;

/** Unauthenticated: answers 200 when the registry behind answers, for `stack status`. */
export const HEALTH_PATH = '/_proxy/health';

/**
 * HTTPS with HTTP basic auth in front of a registry that has neither (Apicurio needs Keycloak for
 * auth). Bodies are streamed both ways; the client's Authorization header is not passed on.
 */
export function startRegistryProxy(options: RegistryProxyOptions): Promise<RunningRegistryProxy> {
  const authorized = basicAuthChecker(options.credentials);
  const upstream = new URL(options.upstream);
  return listenHttps({ ...options, what: 'proxy' }, (req, res) => {
    if (req.url === HEALTH_PATH) return forward(req, res, upstream, '/apis/ccompat/v7/subjects', options.logger);
    if (!authorized(req.headers.authorization)) return refuse(req, res);
    forward(req, res, upstream, req.url ?? '/', options.logger);
  });
}

function refuse(req: IncomingMessage, res: ServerResponse): void {
  req.resume(); // drain the body so a keep-alive connection stays usable
  res.writeHead(401, { 'www-authenticate': BASIC_CHALLENGE, 'content-type': 'application/json' });
  res.end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
}

/** Hop-by-hop headers belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);
const endToEnd = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, path: string, logger: Logger): void {
  const { authorization: _credentials, host: _host, ...headers } = endToEnd(req.headers);
  const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    pipeline(answer, res, () => {});
  });
  out.on('error', (err) => {
    logger.warn({ err, method: req.method, path }, 'registry behind the proxy did not answer');
    if (res.headersSent) res.destroy();
    else {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 50201, message: `registry unreachable: ${err.message}` }));
    }
  });
  pipeline(req, out, () => {});
}
