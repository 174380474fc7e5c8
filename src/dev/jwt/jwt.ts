import { createPublicKey, createSign, createVerify, generateKeyPairSync, type JsonWebKey, type KeyObject, randomUUID } from 'node:crypto';

/**
 * RS256 JSON Web Tokens and JWK sets with node:crypto only: what the local token endpoints of the
 * dev stack issue, and what the services they stand in front of (the Logs Ingestion emulator, a
 * Kafka broker's OIDC validator) verify.
 */

export type JwtClaims = Record<string, unknown> & { iss?: string; sub?: string; aud?: string | string[]; exp?: number; nbf?: number };

/** A public key as published in a JWKS (`/keys`, `jwks_uri`). */
export type PublicJwk = JsonWebKey & { kid: string; kty: 'RSA'; use: 'sig'; alg: 'RS256' };

export interface Jwks {
  keys: PublicJwk[];
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

/** A fresh RSA 2048 signing key with a random key id. */
export function createSigningKey(kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicJwk: { ...jwk, kid, kty: 'RSA', use: 'sig', alg: 'RS256' } };
}

export function jwksOf(...keys: SigningKey[]): Jwks {
  return { keys: keys.map((k) => k.publicJwk) };
}

export function signJwt(claims: JwtClaims, key: SigningKey): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: key.kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key.privateKey);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

/** Why a token was not accepted, as a closed list that a server maps to its own answers. */
export type JwtProblem = 'malformed' | 'unsupported-algorithm' | 'unknown-key' | 'bad-signature' | 'expired' | 'not-yet-valid';

export type VerifiedJwt = { ok: true; header: Record<string, unknown>; claims: JwtClaims } | { ok: false; problem: JwtProblem };

/**
 * Checks the signature against the JWKS (by `kid`; with one key and no `kid`, that key) and the
 * time claims (`exp` required) with `clockSkewSeconds` of tolerance. Issuer, audience and the rest
 * are the caller's to check on the returned claims.
 */
export function verifyJwt(token: string, jwks: Jwks, options: { nowSeconds?: number; clockSkewSeconds?: number } = {}): VerifiedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, problem: 'malformed' };
  const [rawHeader = '', rawPayload = '', rawSignature = ''] = parts;
  const header = decodeJson(rawHeader);
  const claims = decodeJson(rawPayload);
  if (!header || !claims) return { ok: false, problem: 'malformed' };
  if (header.alg !== 'RS256') return { ok: false, problem: 'unsupported-algorithm' };
  const jwk =
    jwks.keys.find((k) => k.kid === header.kid) ?? (header.kid === undefined && jwks.keys.length === 1 ? jwks.keys[0] : undefined);
  if (!jwk) return { ok: false, problem: 'unknown-key' };
  const valid = createVerify('RSA-SHA256')
    .update(`${rawHeader}.${rawPayload}`)
    .verify(publicKeyOf(jwk), Buffer.from(rawSignature, 'base64url'));
  if (!valid) return { ok: false, problem: 'bad-signature' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkewSeconds ?? 300;
  if (typeof claims.exp !== 'number' || claims.exp + skew <= now) return { ok: false, problem: 'expired' };
  if (typeof claims.nbf === 'number' && claims.nbf - skew > now) return { ok: false, problem: 'not-yet-valid' };
  return { ok: true, header, claims };
}

/** The claims of a token without checking anything: for diagnostics and tests only. */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  return decodeJson(token.split('.')[1] ?? '');
}

/** `aud` may be one string or a list. */
export function audienceIncludes(claims: JwtClaims, audience: string): boolean {
  return Array.isArray(claims.aud) ? claims.aud.includes(audience) : claims.aud === audience;
}

function publicKeyOf(jwk: PublicJwk): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
