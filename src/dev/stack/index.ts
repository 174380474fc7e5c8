import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sqsEndpoint, sqsService } from './elasticmq.js';
import { kafkaBrokers, kafkaService, proxiedListeners, type SecureKafkaEndpoint, secureKafkaEndpoint } from './kafka.js';
import { type KafkaAuthEndpoints, kafkaAuthEndpoints, prepareAuthListeners } from './kafka-auth.js';
import { CLOUDWATCH_CREDENTIALS, cloudwatchEndpoint, cloudwatchService } from './moto.js';
import { knownUnits, logFile, runningPid, stackPaths, stopUnit, withFileLock } from './process-files.js';
import { registryService, registryUrl } from './registry.js';
import { ensureService, type ServiceState } from './runner.js';
import { S3_CREDENTIALS, s3Endpoint, s3Service } from './s3proxy.js';
import { ALL_SERVICES, DEFAULT_PORTS, type ServiceDef, type ServiceName, type StackContext, type StackPorts } from './service.js';

export type { ServiceName, StackPorts };

export interface StackOptions {
  /** State, data and logs folder; default `<cwd>/.stack`. */
  home?: string;
  brokers?: 1 | 3;
  ports?: Partial<StackPorts>;
  services?: ServiceName[];
  onProgress?: (msg: string) => void;
}

export interface StackEndpoints {
  kafkaBrokers: string[];
  /** the same brokers' SASL_SSL listener, for tests of secured clusters */
  kafkaSecure: SecureKafkaEndpoint;
  /** per broker, the PROXIED listener's real port and the port it advertises (empty unless ports.kafkaProxied is set) */
  kafkaProxied: Array<{ node: number; listen: number; advertised: number }>;
  /** the OAUTHBEARER and mTLS listeners and the OIDC issuer (only when ports.kafkaAuth is set) */
  kafkaAuth?: KafkaAuthEndpoints;
  registryUrl: string;
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: true };
  sqsEndpoint: string;
  /** CloudWatch Logs (moto's server mode) */
  cloudwatch: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  home: string;
}

interface StackFile {
  brokers: 1 | 3;
  ports: StackPorts;
  services: ServiceName[];
  pids: Record<string, number>;
  endpoints: StackEndpoints;
  updatedAt: string;
}

const DEFS: Record<ServiceName, ServiceDef> = {
  kafka: kafkaService,
  registry: registryService,
  s3: s3Service,
  sqs: sqsService,
  cloudwatch: cloudwatchService,
};

const homeOf = (home?: string) => resolve(home ?? '.stack');

function endpointsOf(ctx: StackContext): StackEndpoints {
  const secure = secureKafkaEndpoint(ctx);
  const auth = kafkaAuthEndpoints(ctx, secure.caFile);
  return {
    kafkaBrokers: kafkaBrokers(ctx),
    kafkaSecure: secure,
    kafkaProxied: proxiedListeners(ctx),
    ...(auth ? { kafkaAuth: auth } : {}),
    registryUrl: registryUrl(ctx),
    s3: { endpoint: s3Endpoint(ctx), ...S3_CREDENTIALS, forcePathStyle: true },
    sqsEndpoint: sqsEndpoint(ctx),
    cloudwatch: { endpoint: cloudwatchEndpoint(ctx), ...CLOUDWATCH_CREDENTIALS },
    home: ctx.home,
  };
}

function readStackFile(home: string): StackFile | undefined {
  try {
    return JSON.parse(readFileSync(stackPaths(home).json, 'utf8')) as StackFile;
  } catch {
    return undefined;
  }
}

const anyRunning = (home: string) => knownUnits(home).some((u) => runningPid(home, u) !== undefined);

/**
 * Starts (or finds already running) Kafka, the schema registry, S3 and SQS (child JVMs) and
 * CloudWatch Logs (moto, a Python process) on 127.0.0.1 and waits until each is healthy.
 * Idempotent: running, healthy services are kept.
 */
export async function stackUp(opts: StackOptions = {}): Promise<StackEndpoints> {
  const home = homeOf(opts.home);
  const progress = opts.onProgress ?? ((m: string) => process.stderr.write(`[stack] ${m}\n`));
  mkdirSync(home, { recursive: true });
  // One `stackUp` per home at a time; a second one waits, then finds the stack running.
  return withFileLock(
    join(home, '.up.lock'),
    (pid) => progress(`waiting for another stack start (pid ${pid}) in ${home}`),
    () => up(home, opts, progress),
  );
}

async function up(home: string, opts: StackOptions, progress: (msg: string) => void): Promise<StackEndpoints> {
  const ctx: StackContext = { home, ports: { ...DEFAULT_PORTS, ...opts.ports }, brokers: opts.brokers ?? 1, progress };
  const wanted = opts.services ?? [...ALL_SERVICES];
  const paths = stackPaths(home);
  const previous = readStackFile(home);
  const wasRunning = anyRunning(home);
  if (wasRunning) {
    if (previous && (previous.brokers !== ctx.brokers || JSON.stringify(previous.ports) !== JSON.stringify(ctx.ports))) {
      throw new Error(
        `a stack with ${previous.brokers} broker(s) and ports ${JSON.stringify(previous.ports)} is already running under ${home}; ` +
          'stop it first (stack down) or use another home',
      );
    }
  } else {
    // Nothing of this stack is alive (first start, or after a crash/reboot): start from clean data.
    for (const dir of [paths.data, paths.conf, paths.run]) rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(paths.logs, { recursive: true });
  const claimed = [
    ...kafkaService.units(ctx).flatMap((u) => u.ports.map((p) => p.port)),
    ctx.ports.registry,
    ctx.ports.s3,
    ctx.ports.sqs,
    ...(ctx.ports.oidc === undefined ? [] : [ctx.ports.oidc]),
    ctx.ports.cloudwatch,
  ];
  if (new Set(claimed).size !== claimed.length) {
    throw new Error(`stack ports collide: ${claimed.join(', ')} (broker n uses kafka+2·(n−1), controller n uses controller+2·(n−1))`);
  }
  // the OIDC issuer first (kafka-auth.ts): brokers need its JWKS to start, and a restart finds it running again
  if (wanted.includes('kafka')) await prepareAuthListeners(ctx);
  const started = Date.now();
  const states: Partial<Record<ServiceName, ServiceState>> = {};
  const results = await Promise.allSettled(
    wanted.map(async (name) => {
      states[name] = await ensureService(DEFS[name], ctx);
    }),
  );
  const failures = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [],
  );
  const services = [...new Set([...(previous && wasRunning ? previous.services : []), ...wanted])];
  const pids: Record<string, number> = {};
  for (const name of services) for (const u of DEFS[name].units(ctx)) pids[u.id] = runningPid(home, u.id) ?? 0;
  const endpoints = endpointsOf(ctx);
  const file: StackFile = { brokers: ctx.brokers, ports: ctx.ports, services, pids, endpoints, updatedAt: new Date().toISOString() };
  writeFileSync(paths.json, `${JSON.stringify(file, null, 2)}\n`);
  if (failures.length > 0) {
    throw new Error(
      `local stack failed to start (services that did start keep running; \`stack down\` stops them):\n${failures.join('\n\n')}`,
    );
  }
  if (Object.values(states).some((s) => s?.startedInMs !== undefined))
    progress(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${home})`);
  return endpoints;
}

/** Stops what this stack started (pid files under home) and removes its data; logs are kept. */
export async function stackDown(opts: { home?: string } = {}): Promise<void> {
  const home = homeOf(opts.home);
  await Promise.all(knownUnits(home).map((unit) => stopUnit(home, unit, unit.startsWith('kafka') ? 20_000 : 10_000)));
  const paths = stackPaths(home);
  for (const p of [paths.data, paths.conf, paths.run, paths.json]) rmSync(p, { recursive: true, force: true });
}

export async function stackStatus(
  opts: { home?: string } = {},
): Promise<Array<{ service: string; pid?: number; running: boolean; healthy: boolean; endpoint?: string; log: string }>> {
  const home = homeOf(opts.home);
  const file = readStackFile(home);
  const ctx: StackContext = { home, ports: file?.ports ?? DEFAULT_PORTS, brokers: file?.brokers ?? 1, progress: () => {} };
  const rows = await Promise.all(
    (file?.services ?? [...ALL_SERVICES]).map(async (name) => {
      const def = DEFS[name];
      const units = def.units(ctx);
      const anyUp = units.some((u) => runningPid(home, u.id) !== undefined);
      const healthyUnits = !anyUp
        ? new Set<string>()
        : def.healthyUnits
          ? await def.healthyUnits(ctx).catch(() => new Set<string>())
          : (await def.healthy(ctx).catch(() => false))
            ? new Set(units.map((u) => u.id))
            : new Set<string>();
      return units.map((u) => {
        const pid = runningPid(home, u.id);
        return {
          service: u.id,
          pid,
          running: pid !== undefined,
          healthy: pid !== undefined && healthyUnits.has(u.id),
          endpoint: name === 'kafka' ? `127.0.0.1:${u.ports[0]?.port}` : def.endpoint(ctx),
          log: logFile(home, u.id),
        };
      });
    }),
  );
  return rows.flat();
}

/** The endpoints recorded by the last `stackUp` under this home (whether or not still running). */
export async function readStackEndpoints(home?: string): Promise<StackEndpoints | undefined> {
  const h = homeOf(home);
  return existsSync(stackPaths(h).json) ? readStackFile(h)?.endpoints : undefined;
}
