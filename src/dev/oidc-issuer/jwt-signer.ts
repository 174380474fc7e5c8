import { createHash, createPublicKey, createSign, type KeyObject } from 'node:crypto';

/** An RS256 signing key and the JWKS entry that publishes its public half. */
export interface RsaSigningKey {
  privateKey: KeyObject;
  kid: string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** The key id is the public key's SHA-256 (as RFC 7638 thumbprints are), so a persisted key keeps its kid. */
export function signingKey(privateKey: KeyObject): RsaSigningKey {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, kid: createHash('sha256').update(der).digest('base64url').slice(0, 16) };
}

/** A compact JWS (RFC 7515) signed with RS256. */
export function signJwt(key: RsaSigningKey, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key.privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The JSON Web Key Set (RFC 7517) a verifier fetches to check this key's signatures. */
export function jwks(key: RsaSigningKey): { keys: Array<Record<string, string>> } {
  const jwk = createPublicKey(key.privateKey).export({ format: 'jwk' }) as { n: string; e: string };
  return { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: key.kid, n: jwk.n, e: jwk.e }] };
}
