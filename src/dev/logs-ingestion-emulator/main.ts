/**
 * Runs the emulator as its own process: `node dist/dev/logs-ingestion-emulator/main.js <config.json>`.
 * When listening it prints one JSON line `{"url","caCertPath","port"}` on stdout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { rootLogger } from '../../observability/logger.js';
import { loadEmulatorConfigFile } from './config.js';
import { startLogsIngestionEmulator } from './index.js';

// stdout carries only the ready line: the parent reads it and may then close the pipe, so a log
// line there would come first or, later, fail with EPIPE. Logs go to stderr with rootLogger's settings.
const logger = pino({ name: 'siem-stream', level: rootLogger.level, base: { pid: process.pid } }, pino.destination(2));

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: main.js <emulator-config.json>\n');
  process.exit(2);
}

try {
  const config = loadEmulatorConfigFile(configPath);
  // a standalone emulator must hand out a certificate file, so it always gets a certDir
  const certDir = config.certDir ?? mkdtempSync(join(tmpdir(), 'siem-stream-emulator-'));
  const emulator = await startLogsIngestionEmulator({ ...config, certDir }, { logger });
  process.stdout.write(`${JSON.stringify({ url: emulator.url, caCertPath: emulator.caCertPath, port: emulator.port })}\n`);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'Logs Ingestion emulator shutting down');
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'Logs Ingestion emulator failed to start');
  process.exit(1);
}
