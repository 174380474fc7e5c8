import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dcrColumns } from '../sinks/sentinel/columns.js';
import { emulatorGet } from './emulator-stats.js';
import { type StackEndpoints, type StackOptions, stackDown, stackStatus, stackUp } from './stack/index.js';
import { logFile, runningPid, stackPaths, unitMarker, writePid } from './stack/process-files.js';

/** The emulator's data collection rule: one stream per normalized schema, columns from schemas/. */
export const LOCAL_DCR_ID = 'dcr-siem-local';
export const LOCAL_STREAMS = {
  'Custom-SiemNetworkSession': 'SiemNetworkSession_CL',
  'Custom-SiemAuthentication': 'SiemAuthentication_CL',
  'Custom-SiemAuditEvent': 'SiemAuditEvent_CL',
  'Custom-SiemEvent': 'SiemEvent_CL',
} as const;

export interface LocalStackOptions extends StackOptions {
  emulatorPort?: number;
}

export interface LocalStack extends StackEndpoints {
  emulatorUrl: string;
  emulatorCaFile: string;
}

/** The built entry point; from sources (tests run them through vitest) it is the one under dist/. */
function emulatorMain(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'logs-ingestion-emulator', 'main.js');
  return existsSync(beside) ? beside : resolve(here, '..', '..', 'dist', 'dev', 'logs-ingestion-emulator', 'main.js');
}

/** Kafka, the registry, S3, SQS (JVM services) and the Logs Ingestion emulator (a node process). */
export async function localStackUp(options: LocalStackOptions = {}): Promise<LocalStack> {
  const endpoints = await stackUp(options);
  const emulator = await startEmulatorProcess(endpoints.home, options.emulatorPort ?? 18443, options.onProgress);
  const stack: LocalStack = { ...endpoints, ...emulator };
  writeFileSync(join(endpoints.home, 'local-stack.json'), JSON.stringify(stack, null, 2));
  return stack;
}

export async function localStackDown(options: { home?: string } = {}): Promise<void> {
  await stackDown(options); // the emulator is a unit of the stack home, stopped with the rest
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
  ];
}

/** Sentinel sink settings that point a topology at the local emulator. */
export function localSentinelOverrides(stack: LocalStack) {
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
  mkdirSync(stackPaths(home).logs, { recursive: true });
  onProgress?.(`starting Logs Ingestion emulator on https://127.0.0.1:${port}`);
  const streams = Object.fromEntries(
    Object.entries(LOCAL_STREAMS).map(([s, table]) => [s, { columns: dcrColumns('enriched'), outputTable: table }]),
  );
  const configFile = join(dir, 'config.json');
  const config = {
    port,
    host: '127.0.0.1',
    certDir: dir,
    recordsFile: join(stackPaths(home).data, 'emulator-records.jsonl'),
    dcrs: { [LOCAL_DCR_ID]: { streams } },
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const log = openSync(logFile(home, EMULATOR_UNIT), 'a');
  // the trailing marker lets the stack's pid checks recognise this process as its unit
  const child = spawn(process.execPath, [emulatorMain(), configFile, unitMarker(home, EMULATOR_UNIT)], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
  });
  const stdout = child.stdout as Readable;
  const line = await firstLine(stdout, 15_000, logFile(home, EMULATOR_UNIT));
  stdout.destroy();
  child.unref();
  if (child.pid === undefined) throw new Error('the emulator process could not be started');
  writePid(home, EMULATOR_UNIT, child.pid);
  const started = JSON.parse(line) as { url: string; caCertPath: string };
  const endpoint = { emulatorUrl: started.url, emulatorCaFile: started.caCertPath };
  writeFileSync(endpointFile(home), JSON.stringify(endpoint));
  return endpoint;
}

function firstLine(stream: NodeJS.ReadableStream, timeoutMs: number, log: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the emulator did not start within ${timeoutMs} ms; see ${log}`)), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolvePromise(buffered.slice(0, nl));
      }
    });
    stream.on('end', () => reject(new Error(`the emulator exited before it was listening; see ${log}`)));
  });
}
