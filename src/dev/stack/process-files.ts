import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Where a stack keeps its state: `<home>/{run,logs,conf,data}` and `<home>/stack.json`. */
export const stackPaths = (home: string) => ({
  run: join(home, 'run'),
  logs: join(home, 'logs'),
  conf: join(home, 'conf'),
  data: join(home, 'data'),
  json: join(home, 'stack.json'),
});

export const pidFile = (home: string, unit: string) => join(stackPaths(home).run, `${unit}.pid`);
export const logFile = (home: string, unit: string) => join(stackPaths(home).logs, `${unit}.log`);

/** The JVM system property that marks a process as one unit of one stack (survives pid reuse checks). */
export const unitMarker = (home: string, unit: string) => `-Dsiem-stream.stack=${home}#${unit}`;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A zombie (exited, not yet reaped) counts as dead.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

export function writePid(home: string, unit: string, pid: number): void {
  mkdirSync(stackPaths(home).run, { recursive: true });
  writeFileSync(pidFile(home, unit), `${pid}\n`);
}

export function readPid(home: string, unit: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(home, unit), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a unit when its pid file names a live process that really is that unit of this stack. */
export function runningPid(home: string, unit: string): number | undefined {
  const pid = readPid(home, unit);
  if (pid === undefined || !isAlive(pid)) return undefined;
  const cmd = commandLine(pid);
  return cmd === undefined || `${cmd} `.includes(`${unitMarker(home, unit)} `) ? pid : undefined;
}

/** Units with a pid file under this home (running or not). */
export function knownUnits(home: string): string[] {
  const dir = stackPaths(home).run;
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => f.slice(0, -4))
    : [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the detached child leads its own process group
  } catch {
    try {
      process.kill(pid, sig);
    } catch {}
  }
}

/** SIGTERM, then SIGKILL once the deadline passes; resolves when the process is gone. */
export async function stopUnit(home: string, unit: string, deadlineMs = 15_000): Promise<void> {
  const pid = runningPid(home, unit);
  if (pid !== undefined) {
    signal(pid, 'SIGTERM');
    const until = Date.now() + deadlineMs;
    while (isAlive(pid) && Date.now() < until) await sleep(100);
    if (isAlive(pid)) {
      signal(pid, 'SIGKILL');
      const hard = Date.now() + 5000;
      while (isAlive(pid) && Date.now() < hard) await sleep(50);
    }
  }
  rmSync(pidFile(home, unit), { force: true });
}

/** The last lines of a unit's log, for error messages. */
export function logTail(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * Runs `fn` holding an exclusive lock file (containing our pid). A lock left by a dead process is
 * taken over; `onWait` is told once when another live process holds it.
 */
export async function withFileLock<T>(lock: string, onWait: (pid: number) => void, fn: () => Promise<T>): Promise<T> {
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      let owner = 0;
      let age = 0;
      try {
        owner = Number(readFileSync(lock, 'utf8').trim()) || 0;
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {}
      if (owner > 0 ? !isAlive(owner) : age > 5000) rmSync(lock, { force: true });
      else if (!told && owner > 0) {
        onWait(owner);
        told = true;
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
