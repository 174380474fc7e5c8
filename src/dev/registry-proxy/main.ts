/**
 * Runs the registry proxy as its own process: `node dist/dev/registry-proxy/main.js <config.json>`.
 * When listening it prints one JSON line `{"url","caCertPath","port"}` on stdout.
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { readSecretFile } from '../../config/secret-file.js';
import { rootLogger } from '../../observability/logger.js';
import { loadOrCreateCertificate } from '../logs-ingestion-emulator/certificate.js';
import { startRegistryProxy } from './server.js';

export interface RegistryProxyConfig {
  host: string;
  port: number;
  upstream: string;
  certDir: string;
  username: string;
  /** the password is read from here, never passed on a command line or in this config */
  passwordFile: string;
  /** the path the registry's Confluent API is served at, for the printed url */
  apiPath: string;
}

// stdout carries only the ready line (see logs-ingestion-emulator/main.ts): logs go to stderr
const logger = pino({ name: 'siem-stream-registry-proxy', level: rootLogger.level, base: { pid: process.pid } }, pino.destination(2));

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: main.js <registry-proxy-config.json>\n');
  process.exit(2);
}

try {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as RegistryProxyConfig;
  const certificate = loadOrCreateCertificate(config.certDir);
  const credentials = { username: config.username, password: readSecretFile(config.passwordFile, 'passwordFile') };
  const proxy = await startRegistryProxy({ ...config, certificate, credentials, logger });
  const url = `https://${config.host}:${proxy.port}${config.apiPath}`;
  process.stdout.write(`${JSON.stringify({ url, caCertPath: certificate.certPath, port: proxy.port })}\n`);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'registry proxy shutting down');
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'registry proxy failed to start');
  process.exit(1);
}
