import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dcrColumns } from '../sinks/sentinel/columns.js';
import { type StackEndpoints, type StackOptions, stackDown, stackStatus, stackUp } from './stack/index.js';

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

const EMULATOR_MAIN = join(dirname(fileURLToPath(import.meta.url)), 'logs-ingestion-emulator', 'main.js');

/** Kafka, the registry, S3, SQS (JVM services) and the Logs Ingestion emulator (a node process). */
export async function localStackUp(options: LocalStackOptions = {}): Promise<LocalStack> {
  const endpoints = await stackUp(options);
  const emulator = await startEmulatorProcess(endpoints.home, options.emulatorPort ?? 18443, options.onProgress);
  const stack: LocalStack = { ...endpoints, ...emulator };
  writeFileSync(join(endpoints.home, 'local-stack.json'), JSON.stringify(stack, null, 2));
  return stack;
}

export async function localStackDown(options: { home?: string } = {}): Promise<void> {
  const home = resolve(options.home ?? '.stack');
  stopPidFile(join(home, 'emulator', 'emulator.pid'));
  await stackDown(options);
}

export async function localStackStatus(options: { home?: string } = {}) {
  const home = resolve(options.home ?? '.stack');
  const rows = await stackStatus(options);
  const pid = readPid(join(home, 'emulator', 'emulator.pid'));
  const running = pid !== undefined && isAlive(pid);
  const url = running ? (JSON.parse(readFileSync(join(home, 'emulator', 'endpoint.json'), 'utf8')) as { url: string }).url : undefined;
  const healthy = url
    ? await fetch(`${url.replace('https:', 'https:')}/_emulator/stats`).then(
        (r) => r.ok,
        () => false,
      )
    : false;
  return [...rows, { service: 'logs-ingestion-emulator', pid, running, healthy, endpoint: url, log: join(home, 'logs', 'emulator.log') }];
}

/** Sentinel sink settings that point a topology at the local emulator. */
export function localSentinelOverrides(stack: LocalStack) {
  return { endpoint: stack.emulatorUrl, dcrImmutableId: LOCAL_DCR_ID, caFile: stack.emulatorCaFile };
}

async function startEmulatorProcess(home: string, port: number, onProgress?: (msg: string) => void) {
  const dir = join(home, 'emulator');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(home, 'logs'), { recursive: true });
  const pidFile = join(dir, 'emulator.pid');
  const endpointFile = join(dir, 'endpoint.json');
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid) && existsSync(endpointFile)) {
    return JSON.parse(readFileSync(endpointFile, 'utf8')) as { emulatorUrl: string; emulatorCaFile: string };
  }
  onProgress?.(`starting Logs Ingestion emulator on https://127.0.0.1:${port}`);
  const streams = Object.fromEntries(
    Object.entries(LOCAL_STREAMS).map(([s, table]) => [s, { columns: dcrColumns('enriched'), outputTable: table }]),
  );
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      { port, host: '127.0.0.1', certDir: dir, recordsFile: join(dir, 'records.jsonl'), dcrs: { [LOCAL_DCR_ID]: { streams } } },
      null,
      2,
    ),
  );
  const log = openSync(join(home, 'logs', 'emulator.log'), 'a');
  const child = spawn(process.execPath, [EMULATOR_MAIN, configFile], { detached: true, stdio: ['ignore', 'pipe', log] });
  const stdout = child.stdout as Readable;
  const line = await firstLine(stdout, 15_000);
  stdout.destroy();
  child.unref();
  const started = JSON.parse(line) as { url: string; caCertPath: string };
  writeFileSync(pidFile, String(child.pid));
  const endpoint = { emulatorUrl: started.url, emulatorCaFile: started.caCertPath };
  writeFileSync(endpointFile, JSON.stringify({ ...endpoint, url: started.url }));
  return endpoint;
}

function firstLine(stream: NodeJS.ReadableStream, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`the emulator did not start within ${timeoutMs} ms; see .stack/logs/emulator.log`)),
      timeoutMs,
    );
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolvePromise(buffered.slice(0, nl));
      }
    });
    stream.on('end', () => reject(new Error('the emulator exited before it was listening; see .stack/logs/emulator.log')));
  });
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stopPidFile(file: string): void {
  const pid = readPid(file);
  if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGTERM');
  rmSync(file, { force: true });
}
