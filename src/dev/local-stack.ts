import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DcrColumn, dcrColumns } from '../sinks/sentinel/columns.js';
import { emulatorGet } from './emulator-stats.js';
import { devEntry, startNodeUnit } from './node-unit.js';
import {
  REGISTRY_PROXY_UNIT,
  readRegistryProxyEndpoint,
  registryProxyHealthy,
  type SecureRegistryEndpoint,
  startRegistryProxyUnit,
} from './registry-proxy/unit.js';
import { type StackEndpoints, type StackOptions, stackDown, stackStatus, stackUp } from './stack/index.js';
import { logFile, runningPid, stackPaths } from './stack/process-files.js';

/** The emulator's data collection rule: one stream per normalized schema, columns from schemas/. */
export const LOCAL_DCR_ID = 'dcr-siem-local';
export const LOCAL_STREAMS = {
  'Custom-SiemNetworkSession': 'SiemNetworkSession_CL',
  'Custom-SiemAuthentication': 'SiemAuthentication_CL',
  'Custom-SiemAuditEvent': 'SiemAuditEvent_CL',
  'Custom-SiemEvent': 'SiemEvent_CL',
  'Custom-SiemIncident': 'SiemIncident_CL',
} as const;

/** The local DCR's stream declarations: incident columns for the incidents' stream, event columns for the others. */
export function localStreamDeclarations(): Record<string, { columns: DcrColumn[]; outputTable: string }> {
  return Object.fromEntries(
    Object.entries(LOCAL_STREAMS).map(([s, table]) => [
      s,
      { columns: dcrColumns(s === 'Custom-SiemIncident' ? 'incident' : 'enriched'), outputTable: table },
    ]),
  );
}

export interface LocalStackOptions extends StackOptions {
  emulatorPort?: number;
  /** the registry's HTTPS + basic auth proxy */
  registrySecurePort?: number;
}

/**
 * The tests' port layout (29xxx, apart from the demo's) shifted by `offset`: the test run and the
 * benches share it, so only the offset tells two stacks on one machine apart.
 */
export function shiftedStackPorts(offset: number): Required<Pick<LocalStackOptions, 'emulatorPort' | 'registrySecurePort'>> & {
  ports: NonNullable<StackOptions['ports']>;
} {
  return {
    ports: {
      kafka: 29092 + offset,
      controller: 29093 + offset,
      kafkaSecure: 29098 + offset,
      registry: 28081 + offset,
      s3: 29000 + offset,
      sqs: 29324 + offset,
      cloudwatch: 29400 + offset,
    },
    emulatorPort: 28443 + offset,
    registrySecurePort: 28082 + offset,
  };
}

export interface LocalStack extends StackEndpoints {
  emulatorUrl: string;
  emulatorCaFile: string;
  /** the same registry over HTTPS with basic auth, for tests of secured deployments */
  registrySecure: SecureRegistryEndpoint;
}

/**
 * Kafka, the registry, S3, SQS (JVM services), the Logs Ingestion emulator and the registry's
 * HTTPS + basic auth proxy (node processes).
 */
export async function localStackUp(options: LocalStackOptions = {}): Promise<LocalStack> {
  const endpoints = await stackUp(options);
  const emulator = await startEmulatorProcess(endpoints.home, options.emulatorPort ?? 18443, options.onProgress);
  const registrySecure = await startRegistryProxyUnit(
    endpoints.home,
    options.registrySecurePort ?? 18082,
    endpoints.registryUrl,
    options.onProgress,
  );
  const stack: LocalStack = { ...endpoints, ...emulator, registrySecure };
  writeFileSync(join(endpoints.home, 'local-stack.json'), JSON.stringify(stack, null, 2));
  return stack;
}

export async function localStackDown(options: { home?: string } = {}): Promise<void> {
  await stackDown(options); // the emulator and the registry proxy are units of the stack home, stopped with the rest
}

export async function localStackStatus(options: { home?: string } = {}) {
  const home = resolve(options.home ?? '.stack');
  const rows = await stackStatus(options);
  const pid = runningPid(home, EMULATOR_UNIT);
  const endpoint = pid === undefined ? undefined : readEndpoint(home);
  const healthy = endpoint
    ? await emulatorGet(endpoint.emulatorUrl, endpoint.emulatorCaFile, '/_emulator/health').then(
        () => true,
        () => false,
      )
    : false;
  return [
    ...rows,
    {
      service: EMULATOR_UNIT,
      pid,
      running: pid !== undefined,
      healthy,
      endpoint: endpoint?.emulatorUrl,
      log: logFile(home, EMULATOR_UNIT),
    },
    await registryProxyStatus(home),
  ];
}

async function registryProxyStatus(home: string) {
  const pid = runningPid(home, REGISTRY_PROXY_UNIT);
  const endpoint = pid === undefined ? undefined : readRegistryProxyEndpoint(home);
  return {
    service: REGISTRY_PROXY_UNIT,
    pid,
    running: pid !== undefined,
    healthy: endpoint ? await registryProxyHealthy(endpoint) : false,
    endpoint: endpoint?.url,
    log: logFile(home, REGISTRY_PROXY_UNIT),
  };
}

/** Sentinel sink settings that point a topology at the local emulator. */
export function localSentinelOverrides(stack: Pick<LocalStack, 'emulatorUrl' | 'emulatorCaFile'>) {
  return { endpoint: stack.emulatorUrl, dcrImmutableId: LOCAL_DCR_ID, caFile: stack.emulatorCaFile };
}

const EMULATOR_UNIT = 'logs-ingestion-emulator';
const endpointFile = (home: string) => join(home, 'emulator', 'endpoint.json');

function readEndpoint(home: string): EmulatorEndpoint | undefined {
  return existsSync(endpointFile(home)) ? (JSON.parse(readFileSync(endpointFile(home), 'utf8')) as EmulatorEndpoint) : undefined;
}

interface EmulatorEndpoint {
  emulatorUrl: string;
  emulatorCaFile: string;
}

async function startEmulatorProcess(home: string, port: number, onProgress?: (msg: string) => void): Promise<EmulatorEndpoint> {
  const running = runningPid(home, EMULATOR_UNIT);
  const known = readEndpoint(home);
  if (running !== undefined && known) return known;
  const dir = join(home, 'emulator');
  mkdirSync(dir, { recursive: true });
  onProgress?.(`starting Logs Ingestion emulator on https://127.0.0.1:${port}`);
  const streams = localStreamDeclarations();
  const configFile = join(dir, 'config.json');
  const config = {
    port,
    host: '127.0.0.1',
    certDir: dir,
    recordsFile: join(stackPaths(home).data, 'emulator-records.jsonl'),
    dcrs: { [LOCAL_DCR_ID]: { streams } },
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const line = await startNodeUnit(home, EMULATOR_UNIT, devEntry('logs-ingestion-emulator/main.js'), configFile);
  const started = JSON.parse(line) as { url: string; caCertPath: string };
  const endpoint = { emulatorUrl: started.url, emulatorCaFile: started.caCertPath };
  writeFileSync(endpointFile(home), JSON.stringify(endpoint));
  return endpoint;
}
