import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwks, signingKey, signJwt } from '../../../src/dev/oidc-issuer/jwt-signer.js';

describe('the OIDC issuer’s RS256 signer', () => {
  it('signs a JWT that the published JWKS key verifies, with the kid in the header', () => {
    const key = signingKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const token = signJwt(key, { sub: 'siem', aud: 'kafka', exp: 2_000_000_000 });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: key.kid });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ sub: 'siem', aud: 'kafka', exp: 2_000_000_000 });
    const [jwk] = jwks(key).keys;
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid });
    const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
    const verify = (signed: string) =>
      createVerify('RSA-SHA256').update(`${header}.${signed}`).verify(publicKey, Buffer.from(signature, 'base64url'));
    expect(verify(payload)).toBe(true);
    expect(verify(Buffer.from('{"sub":"someone-else"}').toString('base64url'))).toBe(false);
  });

  it('keeps the key id of a key across restarts', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(signingKey(privateKey).kid).toBe(signingKey(privateKey).kid);
  });
});
