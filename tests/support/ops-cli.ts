import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Topology } from '../../src/config/schema.js';
import type { Kafka } from '../../src/kafka/client.js';
import { readAll } from '../../src/kafka/read-topic.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Writes the topology to a file, as an operator would have it. */
export function topologyFile(topology: Topology): string {
  const file = join(mkdtempSync(join(tmpdir(), 'siem-ops-')), 'topology.yaml');
  writeFileSync(file, stringify(topology));
  return file;
}

/** Runs the built CLI (`node dist/cli/main.js …`) to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/cli/main.js', ...args],
      { env: { ...process.env, SIEM_STREAM_LOG_LEVEL: 'warn', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Starts a long-running CLI command (a stage, the lag exporter) as its own process, logging to a file. */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess & { logFile: string } {
  const logFile = join(mkdtempSync(join(tmpdir(), 'siem-ops-')), 'process.log');
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
  });
  return Object.assign(child, { logFile });
}

/** The port a spawned process logged it listens on (`metricsPort` of run, `port` of lag-exporter). */
export function loggedPort(logFile: string): number | undefined {
  const match = /"(?:metricsPort|port)":(\d+)/.exec(readFileSync(logFile, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

/**
 * A waitFor probe: true once the topic holds at least `count` committed records. A topic created
 * a moment ago can answer NOT_LEADER while its leader is being announced; that is "not yet".
 */
export function holdsAtLeast(kafka: Kafka, topic: string, count: number): () => Promise<true | undefined> {
  return async () => {
    try {
      return (await readAll(kafka, topic)).length >= count ? true : undefined;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable === true) return undefined;
      throw error;
    }
  };
}
