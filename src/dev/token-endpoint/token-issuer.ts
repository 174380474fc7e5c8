import { createHash, randomUUID } from 'node:crypto';
import { createSigningKey, type Jwks, jwksOf, type SigningKey, signJwt } from '../jwt/jwt.js';

export type Grant = 'client_secret' | 'client_assertion' | 'managed_identity';

/** One access token handed out: tests look for it where it must not be (logs, metrics). */
export interface IssuedToken {
  clientId: string;
  objectId: string;
  grant: Grant;
  resource: string;
  token: string;
  expiresOn: number;
}

/** Signs v1-shaped app-only access tokens (appid, oid, tid, idtyp: app) with one RS256 key. */
export class TokenIssuer {
  readonly issued: IssuedToken[] = [];
  private readonly key: SigningKey = createSigningKey();

  constructor(
    readonly issuer: string,
    private readonly tenantId: string,
    private readonly lifetimeSeconds: number,
  ) {}

  get jwks(): Jwks {
    return jwksOf(this.key);
  }

  issue(request: { clientId: string; objectId?: string; grant: Grant; resource: string }): IssuedToken {
    const now = Math.floor(Date.now() / 1000);
    const objectId = request.objectId ?? objectIdFor(request.clientId);
    const exp = now + this.lifetimeSeconds;
    const token = signJwt(
      {
        aud: request.resource,
        iss: this.issuer,
        iat: now,
        nbf: now,
        exp,
        appid: request.clientId,
        azp: request.clientId,
        idtyp: 'app',
        oid: objectId,
        sub: objectId,
        tid: this.tenantId,
        uti: randomUUID(),
        ver: '1.0',
      },
      this.key,
    );
    const issued = { clientId: request.clientId, objectId, grant: request.grant, resource: request.resource, token, expiresOn: exp };
    this.issued.push(issued);
    return issued;
  }
}

/** A stable, GUID-shaped object id for a client that was given none. */
export function objectIdFor(clientId: string): string {
  const h = createHash('sha256').update(`oid:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
