import { createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCluster } from '../../kafka/protocol/index.js';
import { loadOrCreateCertificate } from '../logs-ingestion-emulator/certificate.js';
import type { OidcIssuerEndpoint } from '../oidc-issuer/unit.js';
import { fetchMaven, run } from './cache.js';
import { HOST } from './health.js';
import { findJava } from './java.js';
import { authJvmOptions, authListenerPorts, authListenerSettings, authListeners, prepareAuthListeners, propertyPem } from './kafka-auth.js';
import { stackPaths } from './process-files.js';
import type { ServiceDef, StackContext, Unit } from './service.js';

/** The Apache Kafka release the local stack runs and the tests are verified against (see docs/local-stack.md). */
export const KAFKA_VERSION = '4.4.0';
const LOG4J_VERSION = '2.25.5'; // the log4j-core version kafka_2.13 4.4.0 depends on

export const brokerPort = (ctx: StackContext, node: number) => ctx.ports.kafka + 2 * (node - 1);
const controllerPort = (ctx: StackContext, node: number) => ctx.ports.controller + 2 * (node - 1);
const securePort = (ctx: StackContext, node: number) => ctx.ports.kafkaSecure + 2 * (node - 1);
const proxiedListenPort = (ctx: StackContext, node: number) => securePort(ctx, node) + 1;
export const proxiedAdvertisedPort = (ctx: StackContext, node: number) => (ctx.ports.kafkaProxied ?? 0) + 2 * (node - 1);
const unitId = (ctx: StackContext, node: number) => (ctx.brokers === 1 ? 'kafka' : `kafka-${node}`);
const nodes = (ctx: StackContext) => Array.from({ length: ctx.brokers }, (_, i) => i + 1);

export const kafkaBrokers = (ctx: StackContext) => nodes(ctx).map((n) => `${HOST}:${brokerPort(ctx, n)}`);

/** Where each broker's PROXIED listener really listens (the fault proxies' targets), when the stack has one. */
export const proxiedListeners = (ctx: StackContext) =>
  ctx.ports.kafkaProxied === undefined
    ? []
    : nodes(ctx).map((n) => ({ node: n, listen: proxiedListenPort(ctx, n), advertised: proxiedAdvertisedPort(ctx, n) }));

/** The SASL_SSL listener: SCRAM-SHA-512 over TLS with a certificate made for this stack. */
export interface SecureKafkaEndpoint {
  brokers: string[];
  sasl: { mechanism: 'scram-sha-512'; username: string; password: string };
  /** the broker certificate (self-signed, its own CA) to trust */
  caFile: string;
}

export const SCRAM_USER = 'siem-stream';
const tlsDir = (ctx: StackContext) => join(stackPaths(ctx.home).conf, 'kafka-tls');
const scramPasswordFile = (ctx: StackContext) => join(stackPaths(ctx.home).data, 'kafka-scram-password');

export function secureKafkaEndpoint(ctx: StackContext): SecureKafkaEndpoint {
  const password = existsSync(scramPasswordFile(ctx)) ? readFileSync(scramPasswordFile(ctx), 'utf8').trim() : '';
  return {
    brokers: nodes(ctx).map((n) => `${HOST}:${securePort(ctx, n)}`),
    sasl: { mechanism: 'scram-sha-512', username: SCRAM_USER, password },
    caFile: join(tlsDir(ctx), 'emulator-cert.pem'),
  };
}

function tlsSettings(ctx: StackContext, oidc: OidcIssuerEndpoint | undefined): Record<string, string> {
  const cert = loadOrCreateCertificate(tlsDir(ctx));
  // Kafka's PEM key store takes an unencrypted key only in PKCS#8 form
  const pkcs8 = createPrivateKey(cert.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
  const keystore = { chain: propertyPem(cert.certPem), key: propertyPem(pkcs8) };
  return {
    'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
    'listener.name.sasl_ssl.ssl.keystore.certificate.chain': keystore.chain,
    'listener.name.sasl_ssl.ssl.keystore.key': keystore.key,
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ...(oidc ? authListenerSettings(ctx, oidc, keystore) : {}),
  };
}

function serverProperties(ctx: StackContext, node: number, dataDir: string, tls: Record<string, string>): string {
  const n = ctx.brokers;
  const proxied = ctx.ports.kafkaProxied !== undefined;
  const auth = authListeners(ctx, node);
  const extra = (entries: string[]) => entries.map((e) => `,${e}`).join('');
  const voters = nodes(ctx)
    .map((i) => `${i}@${HOST}:${controllerPort(ctx, i)}`)
    .join(',');
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${HOST}:${brokerPort(ctx, node)},SASL_SSL://${HOST}:${securePort(ctx, node)},CONTROLLER://${HOST}:${controllerPort(ctx, node)}${proxied ? `,PROXIED://${HOST}:${proxiedListenPort(ctx, node)}` : ''}${extra(auth.listeners)}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${brokerPort(ctx, node)},SASL_SSL://${HOST}:${securePort(ctx, node)}${proxied ? `,PROXIED://${HOST}:${proxiedAdvertisedPort(ctx, node)}` : ''}${extra(auth.listeners)}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT${proxied ? ',PROXIED:PLAINTEXT' : ''}${extra(auth.protocols)}`,
    ...tls,
    'log.dirs': dataDir,
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    'default.replication.factor': n,
    'min.insync.replicas': Math.min(2, n),
    'offsets.topic.replication.factor': n,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': n,
    'transaction.state.log.min.isr': Math.min(2, n),
    'transaction.state.log.num.partitions': 10,
    'share.coordinator.state.topic.replication.factor': n,
    'share.coordinator.state.topic.min.isr': Math.min(2, n),
    'group.initial.rebalance.delay.ms': 0,
    'delete.topic.enable': true,
  };
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

const LOG4J2 = (level: string) => `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${level}
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = warn
`;

/** A KRaft cluster id: 16 random bytes, base64url (Kafka's Uuid format). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function prepare(ctx: StackContext, units: Unit[]): Promise<Map<string, string[]>> {
  const lib = await fetchMaven(
    `kafka-${KAFKA_VERSION}`,
    [{ coords: `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}` }, { coords: `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J_VERSION}` }],
    ctx.progress,
  );
  const paths = stackPaths(ctx.home);
  mkdirSync(paths.conf, { recursive: true });
  const log4j = join(paths.conf, 'kafka-log4j2.properties');
  const toolLog4j = join(paths.conf, 'kafka-tools-log4j2.properties');
  writeFileSync(log4j, LOG4J2('info'));
  writeFileSync(toolLog4j, LOG4J2('warn'));
  const idFile = join(paths.data, 'kafka-cluster-id');
  mkdirSync(paths.data, { recursive: true });
  if (!existsSync(idFile)) writeFileSync(idFile, newClusterId());
  const clusterId = readFileSync(idFile, 'utf8').trim();
  if (!existsSync(scramPasswordFile(ctx))) writeFileSync(scramPasswordFile(ctx), randomBytes(18).toString('base64url'), { mode: 0o600 });
  const scramPassword = readFileSync(scramPasswordFile(ctx), 'utf8').trim();
  const oidc = await prepareAuthListeners(ctx);
  const tls = tlsSettings(ctx, oidc);
  const java = findJava(17, `Apache Kafka ${KAFKA_VERSION}`);
  const cp = join(lib, '*');
  const heap = ctx.brokers === 1 ? '1g' : '512m';
  const launches = new Map<string, string[]>();
  await Promise.all(
    nodes(ctx)
      .filter((node) => units.some((u) => u.id === unitId(ctx, node)))
      .map(async (node) => {
        const id = unitId(ctx, node);
        const dataDir = join(paths.data, id);
        const props = join(paths.conf, `${id}.properties`);
        writeFileSync(props, serverProperties(ctx, node, dataDir, tls), { mode: 0o600 });
        if (!existsSync(join(dataDir, 'meta.properties'))) {
          ctx.progress(`kafka: formatting KRaft storage for node ${node} (cluster ${clusterId})`);
          const args = [
            `-Dlog4j2.configurationFile=${toolLog4j}`,
            '-cp',
            cp,
            'kafka.tools.StorageTool',
            'format',
            '-t',
            clusterId,
            '-c',
            props,
            '--ignore-formatted',
            // the SASL_SSL listener's user; SCRAM credentials live in the KRaft metadata from the start
            '--add-scram',
            `SCRAM-SHA-512=[name=${SCRAM_USER},password=${scramPassword}]`,
          ];
          await run(java.bin, args).catch((e: Error) => {
            throw new Error(`kafka: formatting storage of node ${node} failed: ${e.message}`);
          });
        }
        launches.set(id, [
          '-Xms256m',
          `-Xmx${heap}`,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:+ExitOnOutOfMemoryError',
          '-Djava.awt.headless=true',
          ...authJvmOptions(oidc),
          `-Dlog4j2.configurationFile=${log4j}`,
          '-cp',
          cp,
          'kafka.Kafka',
          props,
        ]);
      }),
  );
  return launches;
}

/** Broker node ids that are registered and unfenced in the cluster's metadata. */
async function liveNodes(ctx: StackContext): Promise<Set<number>> {
  try {
    const { brokers } = await describeCluster({
      brokers: kafkaBrokers(ctx),
      clientId: 'siem-stream-stack-health',
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 3000,
    });
    return new Set(brokers.map((b) => b.nodeId));
  } catch {
    return new Set();
  }
}

export const kafkaService: ServiceDef = {
  name: 'kafka',
  label: `Apache Kafka ${KAFKA_VERSION} (KRaft)`,
  javaMin: 17,
  startTimeoutMs: 90_000,
  units: (ctx) =>
    nodes(ctx).map((node) => ({
      id: unitId(ctx, node),
      ports: [
        { port: brokerPort(ctx, node), label: `Kafka broker ${node}` },
        { port: securePort(ctx, node), label: `Kafka broker ${node} SASL_SSL` },
        { port: controllerPort(ctx, node), label: `Kafka controller ${node}` },
        ...(ctx.ports.kafkaProxied === undefined ? [] : [{ port: proxiedListenPort(ctx, node), label: `Kafka broker ${node} PROXIED` }]),
        ...authListenerPorts(ctx, node),
      ],
    })),
  prepare,
  healthy: async (ctx) => (await liveNodes(ctx)).size === ctx.brokers,
  healthyUnits: async (ctx) => {
    const live = await liveNodes(ctx);
    return new Set(
      nodes(ctx)
        .filter((n) => live.has(n))
        .map((n) => unitId(ctx, n)),
    );
  },
  endpoint: (ctx) => kafkaBrokers(ctx).join(','),
};
