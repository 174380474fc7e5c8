import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
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

/** A poll's connection was reset or refused: a keep-alive socket the server closed as it was reused, a port not yet open. */
function isConnectionHiccup(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'UND_ERR_SOCKET';
}

/**
 * Polls `probe` every `everyMs` until it answers something other than undefined. A probe whose
 * connection was reset or refused is asked again (the last such error is in the timeout's message);
 * any other error fails at once.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let hiccup: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!isConnectionHiccup(error)) throw error;
      hiccup = error;
    }
    if (Date.now() > deadline) {
      const last =
        hiccup === undefined
          ? ''
          : ` (last connection error: ${(hiccup as Error).message}: ${(hiccup as { cause?: Error }).cause?.message ?? ''})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Runs a stage that SIGKILLs itself between its `nth` transaction's sends and its commit
 * (SIEM_STREAM_FAULT, src/kafka/fault-injection.ts), or is SIGKILLed after `killAfterMs` if it
 * never gets there; returns how it ended and the tail of its log.
 */
export async function crashBeforeCommit(
  topology: Topology,
  stage: string,
  nth: number,
  killAfterMs?: number,
): Promise<{ signal: NodeJS.Signals | null; log: string }> {
  const child = spawnStage(topology, stage, { SIEM_STREAM_FAULT: `crash-before-commit:${nth}` });
  const killer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const { signal } = await exited(child);
  clearTimeout(killer);
  return { signal, log: readFileSync(child.logFile, 'utf8').slice(-3_000) };
}
