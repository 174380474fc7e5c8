import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, extractOnce, fetchMaven } from './cache.js';
import { HOST, httpStatus } from './health.js';
import { javaRuntimes } from './java.js';
import type { ServiceDef, StackContext } from './service.js';

/**
 * Apicurio Registry (a Quarkus app) with its Confluent-compatible `ccompat` API, in memory.
 * Apicurio 3 needs Java 21+; on a machine with only Java 17 the 2.6 line (same ccompat v7 API,
 * Java 11+) runs instead. SIEM_STREAM_APICURIO=2 or =3 forces one line.
 */
interface ApicurioRelease {
  version: string;
  javaMin: number;
  /** the runnable jar, relative to the unpacked assembly */
  jar: (dir: string) => string;
  /** JVM properties particular to this line */
  props: (ctx: StackContext) => string[];
}

const APICURIO_3: ApicurioRelease = {
  version: '3.3.3',
  javaMin: 21,
  jar: (dir) => findFile(dir, (f) => f === 'quarkus-run.jar'),
  props: () => [
    // The management interface is built in; keep it on loopback and off any fixed port.
    `-Dquarkus.management.host=${HOST}`,
    '-Dquarkus.management.port=0',
    // In-memory H2 storage (Apicurio's default), stated so a user config cannot switch it.
    '-Dapicurio.storage.kind=sql',
    '-Dapicurio.storage.sql.kind=h2',
  ],
};

const APICURIO_2: ApicurioRelease = {
  version: '2.6.13.Final',
  javaMin: 11,
  jar: (dir) => findFile(dir, (f) => f.endsWith('-runner.jar')),
  props: () => [], // the 2.x app assembly stores in memory by default
};

export function apicurioRelease(): ApicurioRelease {
  const forced = process.env.SIEM_STREAM_APICURIO;
  if (forced === '2') return APICURIO_2;
  if (forced === '3') return APICURIO_3;
  return javaRuntimes().some((j) => j.major >= APICURIO_3.javaMin) ? APICURIO_3 : APICURIO_2;
}

export const registryUrl = (ctx: StackContext) => `http://${HOST}:${ctx.ports.registry}/apis/ccompat/v7`;

async function appDir(release: ApicurioRelease, ctx: StackContext): Promise<string> {
  const name = `apicurio-registry-${release.version}`;
  const done = join(cacheDir(), name);
  if (existsSync(join(done, '.complete'))) return done;
  const lib = await fetchMaven(
    `${name}-dist`,
    [{ coords: `io.apicurio:apicurio-registry-app:${release.version}:tar.gz:all`, alone: true }],
    ctx.progress,
  );
  const archive = readdirSync(lib).find((f) => f.endsWith('.tar.gz'));
  if (!archive) throw new Error(`registry: no .tar.gz found in ${lib}`);
  const dir = await extractOnce(join(lib, archive), name, ctx.progress);
  rmSync(lib, { recursive: true, force: true }); // the unpacked app is all we need (Maven's repository keeps the archive)
  return dir;
}

/** A file in the folder or one level below (archives may or may not wrap the app in a top folder). */
function findFile(dir: string, match: (name: string) => boolean): string {
  const here = readdirSync(dir).find(match);
  if (here) return join(dir, here);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const below = readdirSync(join(dir, e.name)).find(match);
    if (below) return join(dir, e.name, below);
  }
  throw new Error(`registry: the runnable jar was not found under ${dir}; delete that folder to unpack it again`);
}

export const registryService: ServiceDef = {
  name: 'registry',
  get label() {
    return `Apicurio Registry ${apicurioRelease().version}`;
  },
  get javaMin() {
    return apicurioRelease().javaMin;
  },
  startTimeoutMs: 120_000,
  units: (ctx) => [{ id: 'registry', ports: [{ port: ctx.ports.registry, label: 'schema registry HTTP' }] }],
  prepare: async (ctx) => {
    const release = apicurioRelease();
    const jar = release.jar(await appDir(release, ctx));
    const args = [
      '-Xms64m',
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExitOnOutOfMemoryError',
      `-Dquarkus.http.port=${ctx.ports.registry}`,
      `-Dquarkus.http.host=${HOST}`,
      ...release.props(ctx),
      '-jar',
      jar,
    ];
    return new Map([['registry', args]]);
  },
  healthy: async (ctx) => (await httpStatus(`${registryUrl(ctx)}/subjects`))?.status === 200,
  endpoint: registryUrl,
};
