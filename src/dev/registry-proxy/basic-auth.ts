import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** What a 401 carries, so clients know to answer with basic auth (RFC 7617). */
export const BASIC_CHALLENGE = 'Basic realm="siem-stream schema registry", charset="UTF-8"';

/** Hashing first gives equal lengths, so the comparison time says nothing about the expected value. */
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A checker for `Authorization` header values: true only for `Basic base64(user:password)` with
 * exactly these credentials. Username and password are both compared, in constant time, whatever
 * the first comparison found.
 */
export function basicAuthChecker(expected: BasicCredentials): (header: string | undefined) => boolean {
  const user = digest(expected.username);
  const password = digest(expected.password);
  return (header) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), user);
    const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), password);
    return userOk && passwordOk;
  };
}
