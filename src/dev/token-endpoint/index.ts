import { type Logger, rootLogger } from '../../observability/logger.js';
import type { Jwks } from '../jwt/jwt.js';
import { listenHttps } from '../listen-https.js';
import { loadOrCreateCertificate } from '../logs-ingestion-emulator/certificate.js';
import { sendJson } from '../logs-ingestion-emulator/responses.js';
import { parseTokenEndpointConfig, type TokenEndpointConfig, type TokenEndpointConfigInput } from './config.js';
import type { EntraError } from './entra-errors.js';
import { handleEntra } from './entra-routes.js';
import { listenManagedIdentity } from './managed-identity.js';
import { type IssuedToken, TokenIssuer } from './token-issuer.js';

export type { TokenEndpointConfig, TokenEndpointConfigInput } from './config.js';
export type { IssuedToken } from './token-issuer.js';
export { objectIdFor } from './token-issuer.js';

export interface TokenEndpoint {
  /** the authority host a client is given (authorityHost), e.g. https://127.0.0.1:40123 */
  url: string;
  tenantId: string;
  /** `iss` of every token it issues */
  issuer: string;
  /** the keys its tokens are signed with: give them to whatever verifies the tokens */
  jwks: Jwks;
  caCertPem: string;
  /** <certDir>/emulator-cert.pem when a certDir was given */
  caCertPath?: string;
  /** IDENTITY_ENDPOINT of the App Service-style managed identity, when configured */
  managedIdentityEndpoint?: string;
  /** every token handed out, in order */
  issued: readonly IssuedToken[];
  /** every token request it refused, in order */
  refusals: readonly EntraError[];
  config: TokenEndpointConfig;
  stop(): Promise<void>;
}

/**
 * Starts a local Entra ID stand-in over HTTPS: OpenID discovery, keys and the client-credentials
 * token endpoint of one tenant (client secret or federated client assertion), and optionally an
 * App Service managed identity endpoint. Tokens are RS256 JWTs for `resources`.
 */
export async function startTokenEndpoint(
  options: TokenEndpointConfigInput,
  { logger: parentLogger = rootLogger }: { logger?: Logger } = {},
): Promise<TokenEndpoint> {
  const config = parseTokenEndpointConfig(options);
  const logger = parentLogger.child({ component: 'token-endpoint' });
  const certificate = loadOrCreateCertificate(config.certDir);
  let url = '';
  const refusals: EntraError[] = [];
  // the issuer names the URL, which is known once listening; tokens are issued only after that
  let issuer: TokenIssuer | undefined;
  const listening = await listenHttps({ certificate, host: config.host, port: config.port, logger, what: 'token endpoint' }, (req, res) => {
    if (!issuer) return sendJson(res, 503, { error: 'temporarily_unavailable' });
    const ctx = { config, issuer, baseUrl: () => url, logger, refusals };
    handleEntra(req, res, ctx).catch((err: unknown) => {
      logger.error({ err }, 'token endpoint request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: (err as Error).message });
    });
  });
  url = `https://${config.host.includes(':') ? `[${config.host}]` : config.host}:${listening.port}`;
  issuer = new TokenIssuer(`${url}/${config.tenantId}/v2.0`, config.tenantId, config.tokenLifetimeSeconds);
  const mi = config.managedIdentity ? await listenManagedIdentity(config.managedIdentity, config, issuer, logger) : undefined;
  logger.info({ url, tenantId: config.tenantId, managedIdentityEndpoint: mi?.endpoint }, 'token endpoint listening');
  let stopping: Promise<void> | undefined;
  return {
    url,
    tenantId: config.tenantId,
    issuer: issuer.issuer,
    jwks: issuer.jwks,
    caCertPem: certificate.certPem,
    ...(certificate.certPath ? { caCertPath: certificate.certPath } : {}),
    ...(mi ? { managedIdentityEndpoint: mi.endpoint } : {}),
    issued: issuer.issued,
    refusals,
    config,
    stop: () => {
      stopping ??= Promise.all([listening.close(), mi?.close()]).then(() => logger.info({ url }, 'token endpoint stopped'));
      return stopping;
    },
  };
}
