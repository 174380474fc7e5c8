import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { logFile, stackPaths, unitMarker, writePid } from './stack/process-files.js';

/** A built entry point under src/dev (e.g. `registry-proxy/main.js`); from sources (vitest) the one under dist/. */
export function devEntry(relative: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, relative);
  return existsSync(beside) ? beside : resolve(here, '..', '..', 'dist', 'dev', relative);
}

/**
 * Starts a node process as a unit of the stack home (its pid file makes `stack down` stop it) and
 * returns the one line it prints on stdout once it is listening.
 */
export async function startNodeUnit(home: string, unit: string, entry: string, configFile: string, timeoutMs = 15_000): Promise<string> {
  mkdirSync(stackPaths(home).logs, { recursive: true });
  const log = openSync(logFile(home, unit), 'a');
  // the trailing marker lets the stack's pid checks recognise this process as its unit
  const child = spawn(process.execPath, [entry, configFile, unitMarker(home, unit)], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
  });
  const stdout = child.stdout as Readable;
  const line = await firstLine(stdout, timeoutMs, unit, logFile(home, unit));
  stdout.destroy();
  child.unref();
  if (child.pid === undefined) throw new Error(`the ${unit} process could not be started`);
  writePid(home, unit, child.pid);
  return line;
}

function firstLine(stream: NodeJS.ReadableStream, timeoutMs: number, unit: string, log: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${unit} did not start within ${timeoutMs} ms; see ${log}`)), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolvePromise(buffered.slice(0, nl));
      }
    });
    stream.on('end', () => {
      clearTimeout(timer);
      reject(new Error(`${unit} exited before it was listening; see ${log}`));
    });
  });
}
