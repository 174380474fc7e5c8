import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { LogsIngestionClientOptions } from '@azure/monitor-ingestion';

export { StaticTokenCredential } from '../../sinks/sentinel/credential.js';

/**
 * Options that make one LogsIngestionClient trust the emulator's self-signed certificate, without
 * NODE_TLS_REJECT_UNAUTHORIZED=0 and without NODE_EXTRA_CA_CERTS at process start.
 *
 * Why this works: LogsIngestionClientOptions is @azure-rest/core-client's ClientOptions, which
 * includes core-rest-pipeline's PipelineOptions.tlsOptions. createPipelineFromOptions turns it into
 * a tlsPolicy that sets request.tlsSettings, and the Node HTTP client then sends through an
 * https.Agent built from those settings (cached per settings object) — so only this client
 * trusts the extra CA. `ca` replaces Node's default trust store rather than adding to it, hence
 * the public roots (and NODE_EXTRA_CA_CERTS, when set) are passed along with the emulator's PEM.
 */
export function emulatorClientOptions(caCertPem: string, extra: LogsIngestionClientOptions = {}): LogsIngestionClientOptions {
  return { ...extra, tlsOptions: { ...extra.tlsOptions, ca: [...rootCertificates, ...extraCaFromEnvironment(), caCertPem] } };
}

function extraCaFromEnvironment(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}
