import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/** A client CA the mTLS listener trusts, and one client certificate it signed, with an encrypted key. */
export interface ClientCertificateFiles {
  /** the CA that signed the client certificate: the broker's trust store for clients */
  caFile: string;
  certFile: string;
  /** PKCS#8, encrypted with the passphrase in keyPasswordFile */
  keyFile: string;
  keyPasswordFile: string;
}

const VALIDITY_DAYS = 365;

/** Made once per stack data folder: a stack started from clean gets new keys. */
export function loadOrCreateClientCertificate(dir: string, commonName: string): ClientCertificateFiles {
  const files: ClientCertificateFiles = {
    caFile: join(dir, 'client-ca.pem'),
    certFile: join(dir, 'client-cert.pem'),
    keyFile: join(dir, 'client-key.pem'),
    keyPasswordFile: join(dir, 'client-key-password'),
  };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  mkdirSync(dir, { recursive: true });
  const ca = newKeyPair();
  const caCert = certificate({
    subject: [{ name: 'commonName', value: 'siem-stream local client CA' }],
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const client = newKeyPair();
  const clientCert = certificate({
    subject: [{ name: 'commonName', value: commonName }],
    issuer: caCert.subject.attributes,
    publicKey: client.publicKey,
    signer: ca.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const passphrase = randomBytes(18).toString('base64url');
  const encryptedKey = createPrivateKey(client.privatePem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
  writeFileSync(files.caFile, forge.pki.certificateToPem(caCert));
  writeFileSync(files.certFile, forge.pki.certificateToPem(clientCert));
  writeFileSync(files.keyPasswordFile, passphrase, { mode: 0o600 });
  writeFileSync(files.keyFile, encryptedKey, { mode: 0o600 });
  return files;
}

export const readPem = (file: string) => readFileSync(file, 'utf8');

// Node's native RSA key generation takes milliseconds, forge's pure-JS one seconds.
function newKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKey: forge.pki.privateKeyFromPem(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey), privatePem: privateKey };
}

function certificate(spec: {
  subject: forge.pki.CertificateField[];
  issuer?: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  signer: forge.pki.PrivateKey;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = `01${randomBytes(9).toString('hex')}`; // positive: a leading 0x01 byte
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + VALIDITY_DAYS * 86_400_000);
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ?? spec.subject);
  cert.publicKey = spec.publicKey;
  cert.setExtensions(spec.extensions);
  cert.sign(spec.signer as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return cert;
}
