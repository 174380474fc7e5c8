import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, extractOnce, fetchMaven } from './cache.js';
import { HOST, httpStatus } from './health.js';
import type { ServiceDef, StackContext } from './service.js';

/** Apicurio Registry (Quarkus app) with its Confluent-compatible `ccompat` API; needs Java 21+. */
export const APICURIO_VERSION = '3.3.3';

export const registryUrl = (ctx: StackContext) => `http://${HOST}:${ctx.ports.registry}/apis/ccompat/v7`;

async function appDir(ctx: StackContext): Promise<string> {
  const name = `apicurio-registry-${APICURIO_VERSION}`;
  const done = join(cacheDir(), name);
  if (existsSync(join(done, '.complete'))) return done;
  const lib = await fetchMaven(
    `${name}-dist`,
    [{ coords: `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`, alone: true }],
    ctx.progress,
  );
  const archive = readdirSync(lib).find((f) => f.endsWith('.tar.gz'));
  if (!archive) throw new Error(`registry: no .tar.gz found in ${lib}`);
  const dir = await extractOnce(join(lib, archive), name, ctx.progress);
  rmSync(lib, { recursive: true, force: true }); // the unpacked app is all we need (Maven's repository keeps the archive)
  return dir;
}

/** The folder holding quarkus-run.jar (the archive may or may not wrap it in a top folder). */
function quarkusRun(dir: string): string {
  if (existsSync(join(dir, 'quarkus-run.jar'))) return join(dir, 'quarkus-run.jar');
  for (const e of readdirSync(dir)) if (existsSync(join(dir, e, 'quarkus-run.jar'))) return join(dir, e, 'quarkus-run.jar');
  throw new Error(`registry: quarkus-run.jar not found under ${dir}; delete that folder to unpack it again`);
}

export const registryService: ServiceDef = {
  name: 'registry',
  label: `Apicurio Registry ${APICURIO_VERSION}`,
  javaMin: 21,
  startTimeoutMs: 120_000,
  units: (ctx) => [{ id: 'registry', ports: [{ port: ctx.ports.registry, label: 'schema registry HTTP' }] }],
  prepare: async (ctx) => {
    const jar = quarkusRun(await appDir(ctx));
    const args = [
      '-Xms64m',
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExitOnOutOfMemoryError',
      `-Dquarkus.http.port=${ctx.ports.registry}`,
      `-Dquarkus.http.host=${HOST}`,
      // The management interface is built in; keep it on loopback and off any fixed port.
      `-Dquarkus.management.host=${HOST}`,
      '-Dquarkus.management.port=0',
      // In-memory H2 storage (Apicurio's default), stated so a user config cannot switch it.
      '-Dapicurio.storage.kind=sql',
      '-Dapicurio.storage.sql.kind=h2',
      '-jar',
      jar,
    ];
    return new Map([['registry', args]]);
  },
  healthy: async (ctx) => (await httpStatus(`${registryUrl(ctx)}/subjects`))?.status === 200,
  endpoint: registryUrl,
};
