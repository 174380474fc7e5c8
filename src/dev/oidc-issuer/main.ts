/**
 * Runs the OIDC client-credentials issuer as its own process: `node dist/dev/oidc-issuer/main.js <config.json>`.
 * When listening it prints one JSON line `{"url","caCertPath","port"}` on stdout.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { readSecretFile } from '../../config/secret-file.js';
import { rootLogger } from '../../observability/logger.js';
import { loadOrCreateCertificate } from '../logs-ingestion-emulator/certificate.js';
import { signingKey } from './jwt-signer.js';
import { startOidcIssuer } from './server.js';

export interface OidcIssuerConfig {
  host: string;
  port: number;
  certDir: string;
  /** the RS256 signing key (PEM), kept across restarts so tokens and the broker's cached JWKS stay valid */
  signingKeyFile: string;
  /** secrets are read from files, never passed on a command line or in this config */
  clients: Array<{ clientId: string; clientSecretFile: string; audience: string }>;
  tokenLifetimeSeconds: number;
}

// stdout carries only the ready line (see logs-ingestion-emulator/main.ts): logs go to stderr
const logger = pino({ name: 'siem-stream-oidc-issuer', level: rootLogger.level, base: { pid: process.pid } }, pino.destination(2));

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: main.js <oidc-issuer-config.json>\n');
  process.exit(2);
}

try {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as OidcIssuerConfig;
  const certificate = loadOrCreateCertificate(config.certDir);
  const key = signingKey(createPrivateKey(readFileSync(config.signingKeyFile, 'utf8')));
  const clients = config.clients.map((c) => ({
    clientId: c.clientId,
    audience: c.audience,
    clientSecret: readSecretFile(c.clientSecretFile, 'clientSecretFile'),
  }));
  const issuer = await startOidcIssuer({ ...config, certificate, key, clients, logger });
  const url = `https://${config.host}:${issuer.port}`;
  process.stdout.write(`${JSON.stringify({ url, caCertPath: certificate.certPath, port: issuer.port })}\n`);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'OIDC issuer shutting down');
    issuer.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'OIDC issuer failed to start');
  process.exit(1);
}
