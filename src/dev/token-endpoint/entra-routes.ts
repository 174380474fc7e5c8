import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import { readBody } from '../logs-ingestion-emulator/request-body.js';
import { sendJson } from '../logs-ingestion-emulator/responses.js';
import { authenticateClient } from './client-auth.js';
import type { TokenEndpointConfig } from './config.js';
import { ENTRA_ERRORS, type EntraError, sendEntraError } from './entra-errors.js';
import type { TokenIssuer } from './token-issuer.js';

export interface EntraContext {
  config: TokenEndpointConfig;
  issuer: TokenIssuer;
  /** https://host:port, the authority host a client is given */
  baseUrl: () => string;
  logger: Logger;
  refusals: EntraError[];
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

/**
 * The part of Entra ID's v2.0 endpoints that MSAL's client-credentials flow calls, per tenant:
 * OpenID discovery, the signing keys and the token endpoint. Instance discovery is not served:
 * MSAL sends it to login.microsoftonline.com whatever the authority, so clients of a local
 * authority turn it off (disableInstanceDiscovery).
 */
export async function handleEntra(req: IncomingMessage, res: ServerResponse, ctx: EntraContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://token-endpoint.invalid');
  const [tenant = '', ...rest] = url.pathname.split('/').filter(Boolean);
  const path = rest.join('/');
  const route = `${req.method} ${path}`;
  if (route === 'GET _health' && tenant === '_token-endpoint') return sendJson(res, 200, { status: 'ok' });
  if (tenant !== ctx.config.tenantId) {
    req.resume();
    return refuse(res, ctx, ENTRA_ERRORS.tenantNotFound(tenant));
  }
  switch (route) {
    case 'GET v2.0/.well-known/openid-configuration':
    case 'GET .well-known/openid-configuration':
      return sendJson(res, 200, openIdConfiguration(ctx.baseUrl(), tenant, ctx.issuer.issuer));
    case 'GET discovery/v2.0/keys':
    case 'GET discovery/keys':
      return sendJson(res, 200, ctx.issuer.jwks);
    case 'POST oauth2/v2.0/token':
      return token(req, res, ctx);
    default:
      req.resume();
      return sendJson(res, 404, { error: 'not_found', error_description: `no route ${route} for tenant ${tenant}` });
  }
}

async function token(req: IncomingMessage, res: ServerResponse, ctx: EntraContext): Promise<void> {
  const read = await readBody(req, 64 * 1024);
  if (read.kind === 'tooLarge') return sendJson(res, 413, { error: 'invalid_request', error_description: 'request body too large' });
  const form = new URLSearchParams(read.body.toString('utf8'));
  const grant = form.get('grant_type') ?? '';
  if (grant !== 'client_credentials') return refuse(res, ctx, ENTRA_ERRORS.unsupportedGrant(grant));
  const clientId = form.get('client_id') ?? '';
  const client = ctx.config.clients.find((c) => c.clientId === clientId);
  if (!client) return refuse(res, ctx, ENTRA_ERRORS.unknownClient(clientId, ctx.config.tenantId));
  const authenticated = authenticateClient(form, client);
  if ('error' in authenticated) return refuse(res, ctx, authenticated);
  const scope = form.get('scope') ?? '';
  const resource = resourceOf(scope);
  if (resource === undefined) return refuse(res, ctx, ENTRA_ERRORS.invalidScope(scope));
  if (!ctx.config.resources.includes(resource.replace(/\/$/, '')))
    return refuse(res, ctx, ENTRA_ERRORS.unknownResource(resource, ctx.config.tenantId));
  const issued = ctx.issuer.issue({
    clientId,
    grant: authenticated.grant,
    resource,
    ...(client.objectId ? { objectId: client.objectId } : {}),
  });
  ctx.logger.debug({ clientId, grant: authenticated.grant, resource }, 'token issued');
  const lifetime = issued.expiresOn - Math.floor(Date.now() / 1000);
  sendJson(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: issued.token });
}

/** `<resource>/.default`, the only scope shape the client-credentials grant takes. */
function resourceOf(scope: string): string | undefined {
  const scopes = scope.split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
  const [only] = scopes;
  if (scopes.length !== 1 || !only?.endsWith('/.default')) return undefined;
  return only.slice(0, -'/.default'.length);
}

function refuse(res: ServerResponse, ctx: EntraContext, error: EntraError): void {
  ctx.refusals.push(error);
  ctx.logger.debug({ status: error.status, error: error.error, aadsts: error.aadsts }, 'token request refused');
  sendEntraError(res, error);
}

function openIdConfiguration(base: string, tenant: string, issuer: string) {
  return {
    issuer,
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    tenant_region_scope: null,
    cloud_instance_name: 'siem-stream.local',
  };
}
