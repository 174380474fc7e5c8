import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';

const HASH_BYTES: Record<ScramHash, number> = { sha256: 32, sha512: 64 };
/** Kafka's own floor for SCRAM iterations; fewer from a server would be a downgrade. */
const MIN_ITERATIONS = 4096;
const GS2_HEADER = 'n,,'; // no channel binding, no authorization identity

/**
 * The client side of SCRAM (RFC 5802, RFC 7677): client-first, then client-final from the
 * server-first, then a check of the server's signature in server-final. Pure apart from the random
 * nonce, which a test can fix.
 */
export class ScramClient {
  private readonly clientFirstBare: string;
  private expectedServerSignature: Buffer | undefined;

  constructor(
    private readonly hash: ScramHash,
    username: string,
    private readonly password: string,
    private readonly nonce = randomBytes(24).toString('base64'),
  ) {
    this.clientFirstBare = `n=${saslName(username)},r=${nonce}`;
  }

  clientFirst(): string {
    return GS2_HEADER + this.clientFirstBare;
  }

  clientFinal(serverFirst: string): string {
    const attributes = parseAttributes(serverFirst);
    if (attributes.has('m')) throw new Error('SCRAM server-first asks for an extension this client does not know');
    const nonce = required(attributes, 'r', 'server-first');
    if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new Error('SCRAM server nonce does not extend the client nonce');
    }
    const salt = Buffer.from(required(attributes, 's', 'server-first'), 'base64');
    const iterations = Number(required(attributes, 'i', 'server-first'));
    if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS) throw new Error(`SCRAM iteration count ${iterations} is too low`);

    const saltedPassword = pbkdf2Sync(Buffer.from(this.password, 'utf8'), salt, iterations, HASH_BYTES[this.hash], this.hash);
    const clientKey = this.hmac(saltedPassword, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = this.hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (clientSignature[i] as number)));
    this.expectedServerSignature = this.hmac(this.hmac(saltedPassword, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Throws unless server-final carries the signature only a server that knows the password can make. */
  verifyServerFinal(serverFinal: string): void {
    if (!this.expectedServerSignature) throw new Error('SCRAM server-final before client-final');
    const attributes = parseAttributes(serverFinal);
    const error = attributes.get('e');
    if (error !== undefined) throw new Error(`SCRAM server refused: ${error}`);
    const signature = Buffer.from(required(attributes, 'v', 'server-final'), 'base64');
    if (signature.length !== this.expectedServerSignature.length || !timingSafeEqual(signature, this.expectedServerSignature)) {
      throw new Error('SCRAM server signature does not match: the server does not know the password');
    }
  }

  private hmac(key: Buffer, text: string): Buffer {
    return createHmac(this.hash, key).update(text, 'utf8').digest();
  }
}

/** RFC 5802's saslname: '=' and ',' escaped. */
function saslName(username: string): string {
  return username.replaceAll('=', '=3D').replaceAll(',', '=2C');
}

function parseAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part[1] !== '=') throw new Error(`SCRAM message has a malformed attribute: "${part.slice(0, 20)}"`);
    attributes.set(part[0] as string, part.slice(2));
  }
  return attributes;
}

function required(attributes: Map<string, string>, name: string, message: string): string {
  const value = attributes.get(name);
  if (value === undefined) throw new Error(`SCRAM ${message} lacks its ${name}= attribute`);
  return value;
}
