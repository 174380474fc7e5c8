import { audienceIncludes, type Jwks, verifyJwt } from '../jwt/jwt.js';
import type { EmulatorConfig } from './config.js';

/** Who made an accepted request: the token's app id (`appid`/`azp`), or how a non-JWT token was let in. */
export type Caller = string;
export const STATIC_TOKEN_CALLER = '(static token)';
export const ANY_TOKEN_CALLER = '(unverified token)';

export type BearerCheck = { ok: true; caller: Caller } | { ok: false; status: 401 | 403; code: string; message: string };

/**
 * The bearer token check, in the answers Azure Monitor documents for its APIs: no header → 401
 * AuthenticationFailed; a token that is not valid → 403 InvalidAuthenticationToken, the wrong
 * audience or tenant → 403 InvalidAuthenticationTokenAudience / InvalidAuthenticationTokenTenant;
 * an expired one → 401 ExpiredAuthenticationToken (ARM's code). With `token` configured that exact
 * token is accepted too (401 when neither matches, as before); with neither, any bearer token is.
 */
export function checkBearer(header: string | undefined, config: Pick<EmulatorConfig, 'token' | 'entraId'>): BearerCheck {
  if (!header) return refuse(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return refuse(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is not a bearer token.");
  const token = match[1];
  if (config.token !== undefined && token === config.token) return { ok: true, caller: STATIC_TOKEN_CALLER };
  if (config.entraId) return checkEntraToken(token, config.entraId);
  if (config.token !== undefined) return refuse(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
  return { ok: true, caller: ANY_TOKEN_CALLER };
}

function checkEntraToken(token: string, entra: NonNullable<EmulatorConfig['entraId']>): BearerCheck {
  const verified = verifyJwt(token, entra.jwks as Jwks, { clockSkewSeconds: entra.clockSkewSeconds });
  if (!verified.ok) {
    if (verified.problem === 'expired')
      return refuse(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.');
    return refuse(403, 'InvalidAuthenticationToken', `The access token is invalid (${verified.problem}).`);
  }
  const { claims } = verified;
  if (typeof claims.iss !== 'string' || !entra.issuers.includes(claims.iss))
    return refuse(403, 'InvalidAuthenticationToken', `The access token is from an issuer that is not trusted: '${String(claims.iss)}'.`);
  if (claims.tid !== entra.tenantId)
    return refuse(403, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong tenant '${String(claims.tid)}'.`);
  if (!entra.audiences.some((a) => audienceIncludes(claims, a))) {
    const message = `The access token has been obtained from wrong audience or resource '${String(claims.aud)}'. It should exactly match one of the allowed audiences ${entra.audiences.map((a) => `'${a}'`).join(',')}.`;
    return refuse(403, 'InvalidAuthenticationTokenAudience', message);
  }
  const caller = claims.appid ?? claims.azp;
  if (typeof caller !== 'string') return refuse(403, 'InvalidAuthenticationToken', 'The access token names no application (appid).');
  if (entra.allowedClients && !entra.allowedClients.includes(caller))
    return refuse(
      403,
      'AuthorizationFailed',
      `The client '${caller}' does not have authorization to ingest into this data collection rule.`,
    );
  return { ok: true, caller };
}

function refuse(status: 401 | 403, code: string, message: string): BearerCheck {
  return { ok: false, status, code, message };
}
