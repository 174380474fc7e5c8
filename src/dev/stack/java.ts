import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { logFile, stackPaths, writePid } from './process-files.js';

export interface JavaRuntime {
  bin: string;
  major: number;
  /** How it was found: SIEM_STREAM_JAVA_HOME, JAVA_HOME, PATH or a scanned JDK folder. */
  source: string;
}

let found: JavaRuntime[] | undefined;

/** Every Java runtime we can see, in order of preference (explicit settings first). */
export function javaRuntimes(): JavaRuntime[] {
  if (found) return found;
  const seen = new Set<string>();
  const list: JavaRuntime[] = [];
  const add = (bin: string, source: string) => {
    if (!existsSync(bin)) return;
    let real = bin;
    try {
      real = realpathSync(bin);
    } catch {}
    if (seen.has(real)) return;
    seen.add(real);
    const major = javaMajor(real);
    if (major !== undefined) list.push({ bin: real, major, source });
  };
  for (const env of ['SIEM_STREAM_JAVA_HOME', 'JAVA_HOME']) {
    const home = process.env[env];
    if (home) add(join(home, 'bin', 'java'), env);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) add(join(dir, 'java'), 'PATH');
  for (const root of [
    '/usr/lib/jvm',
    '/usr/java',
    '/opt/java',
    '/Library/Java/JavaVirtualMachines',
    join(homedir(), '.sdkman/candidates/java'),
    join(homedir(), '.jdks'),
  ]) {
    let entries: string[] = [];
    try {
      entries = readdirSync(root);
    } catch {}
    for (const e of entries.sort().reverse()) {
      add(join(root, e, 'bin', 'java'), root);
      add(join(root, e, 'Contents', 'Home', 'bin', 'java'), root);
    }
  }
  found = list;
  return list;
}

/** Major version from the JDK's `release` file, else from `java -version`. */
function javaMajor(bin: string): number | undefined {
  const parse = (v: string) => {
    const m = /^(?:1\.)?(\d+)/.exec(v);
    return m?.[1] ? Number(m[1]) : undefined;
  };
  for (const release of [join(dirname(dirname(bin)), 'release'), join(dirname(dirname(dirname(bin))), 'release')]) {
    try {
      const m = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, 'utf8'));
      if (m?.[1]) return parse(m[1]);
    } catch {}
  }
  try {
    const out = execFileSync(bin, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return parse(/version "([^"]+)"/.exec(out)?.[1] ?? '');
  } catch (error) {
    const err = (error as { stderr?: string }).stderr ?? '';
    return parse(/version "([^"]+)"/.exec(err)?.[1] ?? '');
  }
}

/**
 * The preferred Java runtime of at least `min`: SIEM_STREAM_JAVA_HOME, JAVA_HOME, `java` on PATH,
 * then JDKs installed in the usual folders (/usr/lib/jvm, SDKMAN, …).
 */
export function findJava(min: number, purpose: string): JavaRuntime {
  const all = javaRuntimes();
  const ok = all.find((j) => j.major >= min);
  if (ok) return ok;
  const seen = all.length
    ? `found only: ${all.map((j) => `Java ${j.major} at ${j.bin} (${j.source})`).join('; ')}`
    : 'no java was found on JAVA_HOME, PATH or in /usr/lib/jvm';
  throw new Error(
    `${purpose} needs Java ${min} or newer; ${seen}. Install a JDK ${min}+ (e.g. apt install openjdk-${Math.max(min, 17)}-jre-headless, or Temurin) ` +
      'and put it on PATH or point JAVA_HOME (or SIEM_STREAM_JAVA_HOME) at it.',
  );
}

export interface UnitLaunch {
  home: string;
  unit: string;
  /** the JVM, or another program */
  program: string;
  /** every argument, the unit marker (process-files.ts) among them */
  args: string[];
  cwd?: string;
}

/**
 * Starts a unit's process (a JVM, or another program) detached (own process group, no handles
 * kept) with stdout and stderr appended to `<home>/logs/<unit>.log`, and records its pid in
 * `<home>/run/<unit>.pid`.
 */
export function spawnDetached(launch: UnitLaunch): number {
  const paths = stackPaths(launch.home);
  mkdirSync(paths.logs, { recursive: true });
  const out = openSync(logFile(launch.home, launch.unit), 'w');
  const child = spawn(launch.program, launch.args, {
    cwd: launch.cwd ?? launch.home,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${launch.program} for ${launch.unit}`);
  child.on('error', () => {});
  child.unref();
  writePid(launch.home, launch.unit, child.pid);
  return child.pid;
}
