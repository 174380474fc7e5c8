import { type Logger, rootLogger } from '../../observability/logger.js';
import { loadOrCreateCertificate } from './certificate.js';
import { type EmulatorConfig, type EmulatorConfigInput, parseEmulatorConfig } from './config.js';
import { FaultInjector } from './faults.js';
import { RecordStore } from './record-store.js';
import { listen } from './server.js';

export type { EmulatorConfig, EmulatorConfigInput } from './config.js';
export { ANY_STREAM, FaultInjector, type FaultRequest } from './faults.js';
export type { EmulatorStatsSnapshot, RecordFilter, StoredRecord } from './record-store.js';
export { RecordStore } from './record-store.js';
export { emulatorClientOptions, StaticTokenCredential } from './trust.js';

export interface LogsIngestionEmulator {
  /** the data collection endpoint to give LogsIngestionClient, e.g. https://127.0.0.1:40123 */
  url: string;
  port: number;
  /** the self-signed certificate, which is its own CA: trust this PEM to talk to the emulator */
  caCertPem: string;
  /** <certDir>/emulator-cert.pem when a certDir was given */
  caCertPath?: string;
  config: EmulatorConfig;
  store: RecordStore;
  faults: FaultInjector;
  stop(): Promise<void>;
}

/** Starts an HTTPS emulator of the Azure Monitor Logs Ingestion API. */
export async function startLogsIngestionEmulator(
  options: EmulatorConfigInput,
  { logger: parentLogger = rootLogger }: { logger?: Logger } = {},
): Promise<LogsIngestionEmulator> {
  const config = parseEmulatorConfig(options);
  const logger = parentLogger.child({ component: 'logs-ingestion-emulator' });
  const certificate = loadOrCreateCertificate(config.certDir);
  const store = new RecordStore(config.recordsFile);
  const faults = new FaultInjector();
  const listening = await listen(certificate, config.host, config.port, { config, store, faults, logger, caCertPem: certificate.certPem });
  const url = `https://${urlHost(config.host)}:${listening.port}`;
  logger.info({ url, dcrs: Object.keys(config.dcrs), recordsFile: config.recordsFile }, 'Logs Ingestion emulator listening');
  let stopping: Promise<void> | undefined;
  return {
    url,
    port: listening.port,
    caCertPem: certificate.certPem,
    ...(certificate.certPath ? { caCertPath: certificate.certPath } : {}),
    config,
    store,
    faults,
    stop: () => {
      stopping ??= listening.close().then(() => logger.info({ url }, 'Logs Ingestion emulator stopped'));
      return stopping;
    },
  };
}

/** The host clients should dial: a wildcard bind is reached on loopback, which the certificate covers. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
