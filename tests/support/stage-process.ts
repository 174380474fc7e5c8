import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Topology } from '../../src/config/schema.js';

/** Runs one stage (or `--all`) as its own process from the built CLI, as an operator would; `nodeArgs` go to node itself. */
export function spawnStage(
  topology: Topology,
  stage: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): ChildProcess & { logFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'siem-stage-'));
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, stringify(topology));
  const logFile = join(dir, `${stage.replace(/^--/, '')}.log`);
  const log = openSync(logFile, 'a');
  const which = stage === '--all' ? ['--all'] : ['--stage', stage];
  const child = spawn(process.execPath, [...nodeArgs, 'dist/cli/main.js', 'run', file, ...which, '--metrics-port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  return Object.assign(child, { logFile });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
