import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../observability/logger.js';
import { sendJson } from '../logs-ingestion-emulator/responses.js';
import type { TokenEndpointConfig } from './config.js';
import type { TokenIssuer } from './token-issuer.js';

/** The path of IDENTITY_ENDPOINT, as App Service sets it (http://127.0.0.1:<port>/msi/token). */
export const MSI_PATH = '/msi/token';
const API_VERSION = '2019-08-01';

export interface ManagedIdentityServer {
  /** the value of IDENTITY_ENDPOINT */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The App Service managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), which
 * @azure/identity's ManagedIdentityCredential uses when both variables are set. Like App Service's,
 * it is plain HTTP on loopback and guarded by the X-IDENTITY-HEADER secret.
 */
export async function listenManagedIdentity(
  mi: NonNullable<TokenEndpointConfig['managedIdentity']>,
  config: TokenEndpointConfig,
  issuer: TokenIssuer,
  logger: Logger,
): Promise<ManagedIdentityServer> {
  const server: Server = createServer((req, res) => answer(req, res, mi, config, issuer, logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${MSI_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  mi: NonNullable<TokenEndpointConfig['managedIdentity']>,
  config: TokenEndpointConfig,
  issuer: TokenIssuer,
  logger: Logger,
): undefined {
  req.resume();
  const url = new URL(req.url ?? '/', 'http://msi.invalid');
  const refuse = (status: number, code: string, message: string): undefined => {
    logger.debug({ status, code }, 'managed identity token request refused');
    sendJson(res, status, { statusCode: status, message, error: { code, message } });
  };
  if (req.method !== 'GET' || url.pathname.replace(/\/$/, '') !== MSI_PATH)
    return refuse(404, 'NotFound', `no route ${req.method} ${url.pathname}`);
  if (req.headers['x-identity-header'] !== mi.identityHeader)
    return refuse(401, 'Unauthorized', 'The X-IDENTITY-HEADER header is missing or wrong.');
  if (url.searchParams.get('api-version') !== API_VERSION) return refuse(400, 'BadRequest', `api-version must be ${API_VERSION}.`);
  const resource = url.searchParams.get('resource') ?? '';
  if (!config.resources.includes(resource.replace(/\/$/, ''))) return refuse(400, 'BadRequest', `The resource '${resource}' is not known.`);
  const wanted = url.searchParams.get('client_id');
  const identity = wanted === null ? mi.identities[0] : mi.identities.find((i) => i.clientId === wanted);
  if (!identity)
    return refuse(400, 'BadRequest', 'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.');
  const issued = issuer.issue({
    clientId: identity.clientId,
    grant: 'managed_identity',
    resource,
    ...(identity.objectId ? { objectId: identity.objectId } : {}),
  });
  logger.debug({ clientId: identity.clientId, resource }, 'managed identity token issued');
  sendJson(res, 200, {
    access_token: issued.token,
    expires_on: String(issued.expiresOn),
    resource,
    token_type: 'Bearer',
    client_id: identity.clientId,
  });
}
