import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface SelfsignedModule {
  generate(attrs: Array<{ name: string; value: string }>, options: Record<string, unknown>): { cert: string; private: string };
}
// selfsigned 2.x ships a declaration file that exports nothing, so it is typed here.
const selfsigned = createRequire(import.meta.url)('selfsigned') as SelfsignedModule;

export interface EmulatorCertificate {
  certPem: string;
  keyPem: string;
  /** set when the certificate lives in a directory (certDir) */
  certPath?: string;
}

export const CERT_FILE = 'emulator-cert.pem';
export const KEY_FILE = 'emulator-key.pem';

const VALIDITY_DAYS = 365;
/** regenerate a persisted certificate this long before it expires, so a running stack never sees it lapse */
const RENEW_BEFORE_MS = 7 * 24 * 3_600_000;

/**
 * The emulator's TLS identity: one self-signed certificate that is its own CA, valid for
 * localhost, 127.0.0.1 and ::1. With certDir it is reused across restarts, so clients that
 * trusted <certDir>/emulator-cert.pem keep working.
 */
export function loadOrCreateCertificate(certDir?: string): EmulatorCertificate {
  if (!certDir) return generateCertificate();
  const certPath = join(certDir, CERT_FILE);
  const keyPath = join(certDir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const existing = { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8'), certPath };
    if (isUsable(existing)) return existing;
  }
  const fresh = generateCertificate();
  mkdirSync(certDir, { recursive: true });
  writeFileSync(keyPath, fresh.keyPem, { mode: 0o600 });
  writeFileSync(certPath, fresh.certPem);
  return { ...fresh, certPath };
}

function isUsable({ certPem, keyPem }: EmulatorCertificate): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const coversLoopback = cert.checkHost('localhost') !== undefined && cert.checkIP('127.0.0.1') !== undefined;
    const fresh = Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS;
    return coversLoopback && fresh && cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function generateCertificate(): EmulatorCertificate {
  // node-forge's pure-JS RSA key generation takes seconds; Node's native one takes milliseconds.
  const keyPair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const options = {
    days: VALIDITY_DAYS,
    algorithm: 'sha256',
    keyPair: { privateKey: keyPair.privateKey, publicKey: keyPair.publicKey },
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  };
  const subject = [
    { name: 'commonName', value: 'localhost' },
    { name: 'organizationName', value: 'siem-stream Logs Ingestion emulator' },
  ];
  const pems = selfsigned.generate(subject, options);
  return { certPem: pems.cert, keyPem: pems.private };
}
