import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { withFileLock } from './process-files.js';

/** Every download (Maven's local repository included) lives under this one folder. */
export function cacheDir(): string {
  return process.env.SIEM_STREAM_CACHE ?? join(homedir(), '.cache', 'siem-stream');
}

export interface MavenDependency {
  /** groupId:artifactId:version[:type[:classifier]] */
  coords: string;
  /** Copy only this artifact, not what it depends on (application bundles, fat jars). */
  alone?: boolean;
}

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/**
 * The folder `<cache>/lib/<name>` holding the given artifacts and (unless `alone`) their runtime
 * dependencies, fetched from Maven Central with Maven the first time and reused afterwards.
 */
export async function fetchMaven(name: string, deps: MavenDependency[], progress: (msg: string) => void): Promise<string> {
  const dir = join(cacheDir(), 'lib', name);
  if (existsSync(join(dir, '.complete'))) return dir;
  return withFetchLock(progress, async () => {
    if (existsSync(join(dir, '.complete'))) return dir;
    const work = join(cacheDir(), 'lib', `.work-${name}-${process.pid}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      writeFileSync(join(work, 'pom.xml'), pomFor(deps));
      const out = join(work, 'lib');
      const repo = `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`;
      const goal = `${DEPENDENCY_PLUGIN}:copy-dependencies`;
      await runMaven(
        name,
        ['-B', '-Dstyle.color=never', '-f', join(work, 'pom.xml'), repo, goal, `-DoutputDirectory=${out}`, '-DincludeScope=runtime'],
        progress,
      );
      writeFileSync(join(out, '.complete'), `${deps.map((d) => d.coords).join('\n')}\n`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(out, dir);
      return dir;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** Unpacks a .tar.gz once into `<cache>/<name>` (system tar). */
export async function extractOnce(archive: string, name: string, progress: (msg: string) => void): Promise<string> {
  const dir = join(cacheDir(), name);
  if (existsSync(join(dir, '.complete'))) return dir;
  return withFetchLock(progress, async () => {
    if (existsSync(join(dir, '.complete'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    progress(`unpacking ${archive.split('/').pop()} into ${dir}`);
    try {
      await run('tar', ['-xzf', archive, '-C', tmp], () => {});
      writeFileSync(join(tmp, '.complete'), `${archive}\n`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
      return dir;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

function pomFor(deps: MavenDependency[]): string {
  const dep = (d: MavenDependency) => {
    const [groupId, artifactId, version, type, classifier] = d.coords.split(':');
    if (!groupId || !artifactId || !version) throw new Error(`bad Maven coordinates: ${d.coords}`);
    const excl = d.alone ? '<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>' : '';
    return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version>${type ? `<type>${type}</type>` : ''}${classifier ? `<classifier>${classifier}</classifier>` : ''}${excl}</dependency>`;
  };
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>siem-stream.local</groupId><artifactId>stack-fetch</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>${deps.map(dep).join('\n')}</dependencies></project>\n`;
}

/** Maven's `mvn` from MAVEN_HOME, M2_HOME or PATH; `purpose` says in the error what it was needed for. */
export function findMaven(purpose = `once, to download the local stack from Maven Central into ${cacheDir()}`): string {
  for (const home of [process.env.MAVEN_HOME, process.env.M2_HOME]) {
    if (home && existsSync(join(home, 'bin', 'mvn'))) return join(home, 'bin', 'mvn');
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'mvn'))) return join(dir, 'mvn');
  }
  throw new Error(
    `Apache Maven (mvn) is needed ${purpose}; it was not found on PATH, MAVEN_HOME or M2_HOME. Install Maven 3.6+ (e.g. apt install maven).`,
  );
}

/** Runs Maven, turning its download log into progress lines (artifact, size, elapsed). */
async function runMaven(name: string, args: string[], progress: (msg: string) => void): Promise<void> {
  const mvn = findMaven();
  const started = Date.now();
  const secs = () => `${Math.round((Date.now() - started) / 1000)}s`;
  let current: string | undefined;
  let files = 0;
  progress(`${name}: fetching with Maven into ${cacheDir()} (downloads from Maven Central on first run only)`);
  const ticker = setInterval(
    () => progress(`${name}: still downloading${current ? ` ${current}` : ''} (${files} files so far) … ${secs()}`),
    5000,
  );
  try {
    await run(mvn, args, (line) => {
      const m = /^(?:\[INFO\] )?Download(ing|ed) from [^:]+: (\S+)(?: \((\S+) (\S+))?/.exec(line);
      if (!m?.[2]) return;
      const file = m[2].split('/').pop() ?? m[2];
      if (m[1] === 'ing') current = file;
      else files++;
      // Report each finished artifact of a megabyte or more; small ones only count.
      if (m[1] === 'ed' && (m[4] === 'MB' || m[4] === 'GB')) progress(`${name}: downloaded ${file} (${m[3]} ${m[4]}) [${secs()}]`);
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${name}: Maven could not fetch it from Maven Central (network, proxy or a mirror in ~/.m2/settings.xml?): ${why}`);
  } finally {
    clearInterval(ticker);
  }
  progress(`${name}: ready in ${secs()}${files ? ` (${files} files downloaded)` : ''}`);
}

/** Runs a command to completion, line by line; the error carries its last lines. */
export function run(cmd: string, args: string[], onLine: (line: string) => void = () => {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.trimEnd();
        tail.push(line);
        if (tail.length > 30) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new Error(`could not run ${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const errors = tail.filter((l) => /^\[ERROR\] (Failed|Could not|Non-resolvable|Unresolveable)/.test(l));
      reject(new Error(`${cmd.split('/').pop()} failed (exit ${code}):\n${(errors.length ? errors : tail.slice(-10)).join('\n')}`));
    });
  });
}

let chain: Promise<unknown> = Promise.resolve();

/** One download at a time: within this process (a chain) and across processes (a lock file in the cache). */
export function withFetchLock<T>(progress: (msg: string) => void, fn: () => Promise<T>): Promise<T> {
  const next = chain.then(() => {
    mkdirSync(cacheDir(), { recursive: true });
    return withFileLock(
      join(cacheDir(), '.fetch.lock'),
      (pid) => progress(`waiting for another siem-stream process (pid ${pid}) downloading into ${cacheDir()}`),
      fn,
    );
  });
  chain = next.catch(() => {});
  return next;
}
