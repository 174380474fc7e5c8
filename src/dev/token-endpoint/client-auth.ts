import { timingSafeEqual } from 'node:crypto';
import { audienceIncludes, decodeJwtClaims, verifyJwt } from '../jwt/jwt.js';
import type { ClientRegistration } from './config.js';
import { ENTRA_ERRORS, type EntraError } from './entra-errors.js';
import type { Grant } from './token-issuer.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * How a confidential client proves itself on the client-credentials grant: a secret, or a signed
 * assertion from an issuer the app trusts through a federated identity credential.
 */
export function authenticateClient(form: URLSearchParams, client: ClientRegistration): { grant: Grant } | EntraError {
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null)
    return client.secrets.some((s) => sameSecret(s, secret)) ? { grant: 'client_secret' } : ENTRA_ERRORS.invalidSecret(client.clientId);
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== JWT_BEARER)
      return ENTRA_ERRORS.invalidAssertion(`client_assertion_type must be ${JWT_BEARER}`);
    return checkFederatedAssertion(assertion, client);
  }
  return ENTRA_ERRORS.noClientCredential();
}

function checkFederatedAssertion(assertion: string, client: ClientRegistration): { grant: Grant } | EntraError {
  const claims = decodeJwtClaims(assertion);
  if (!claims) return ENTRA_ERRORS.invalidAssertion('not a JWT');
  const trusted = client.federatedCredentials.filter((f) => f.issuer === claims.iss);
  if (trusted.length === 0) return ENTRA_ERRORS.invalidAssertion(`issuer '${String(claims.iss)}' is not trusted by this app`);
  let expired = false;
  for (const federated of trusted) {
    const verified = verifyJwt(assertion, federated.jwks as Parameters<typeof verifyJwt>[1], { clockSkewSeconds: 0 });
    if (!verified.ok) {
      expired ||= verified.problem === 'expired' || verified.problem === 'not-yet-valid';
      continue;
    }
    if (verified.claims.sub === federated.subject && audienceIncludes(verified.claims, federated.audience))
      return { grant: 'client_assertion' };
  }
  if (expired) return ENTRA_ERRORS.expiredAssertion();
  return ENTRA_ERRORS.invalidAssertion(`subject '${String(claims.sub)}' with this signature and audience`);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
