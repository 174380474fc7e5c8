/**
 * The client chosen in docs/decisions/kafka-client.md: @confluentinc/kafka-javascript (librdkafka),
 * through its KafkaJS-compatible API. Every client of the project is built here, from the
 * topology's `kafka` settings.
 */
import { randomUUID } from 'node:crypto';
import confluent, { type KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaConfig } from '../config/schema.js';
import { readSecretFile } from '../config/secret-file.js';
import { SiemStreamError } from '../errors.js';
import { rootLogger } from '../observability/logger.js';
import type { Admin, Kafka } from './client.js';
import { oauthBearerToken } from './oauth-token.js';

export type RdTopicPartition = { topic: string; partition: number };

export const { ErrorCodes: RdErrorCodes } = confluent.KafkaJS;
export const RdGroupStates = confluent.KafkaJS.ConsumerGroupStates;

/** librdkafka's log lines, into the process's pino logger; its routine info (clients connected, rebalances received) at debug. */
function pinoLogger(namespace = 'rdkafka'): KafkaJS.Logger {
  const log = rootLogger.child({ component: 'rdkafka', namespace });
  return {
    info: (message, extra) => log.debug(extra ?? {}, message),
    warn: (message, extra) => log.warn(extra ?? {}, message),
    error: (message, extra) => log.error(extra ?? {}, message),
    debug: (message, extra) => log.debug(extra ?? {}, message),
    namespace: (name) => pinoLogger(name),
    setLogLevel: () => undefined,
  };
}

export interface RdKafkaClient {
  kafka: Kafka;
  /** unique per process: the group's member list shows it, so the liveness check can find this member */
  clientId: string;
}

/** librdkafka settings; the OAUTHBEARER token refresh callback is the one function among them. */
export type LibrdkafkaSettings = Record<string, string | number | boolean | OAuthBearerRefresh>;
type OAuthBearerRefresh = () => Promise<{ tokenValue: string; lifetime: number; principal: string }>;
/** Told once the binding has set (or failed to set) an OAUTHBEARER token on the client. */
type TokenSetListener = (error?: Error) => void;

/** The topology's `kafka` connection settings in librdkafka's names: the one mapping, used by every client built here. */
export function librdkafkaConnection(config: KafkaConfig, clientId: string, onTokenSet?: TokenSetListener): LibrdkafkaSettings {
  const native: LibrdkafkaSettings = {
    'bootstrap.servers': config.brokers.join(','),
    'client.id': clientId,
    'socket.connection.setup.timeout.ms': config.connectionTimeoutMs,
  };
  const { ssl, sasl } = config;
  native['security.protocol'] = `${sasl ? 'sasl_' : ''}${ssl ? 'ssl' : 'plaintext'}`;
  if (ssl) {
    native['enable.ssl.certificate.verification'] = ssl.rejectUnauthorized;
    if (ssl.caFile) native['ssl.ca.location'] = ssl.caFile;
    if (ssl.certFile && ssl.keyFile) {
      native['ssl.certificate.location'] = ssl.certFile;
      native['ssl.key.location'] = ssl.keyFile;
      const passphrase = ssl.keyPassword ?? (ssl.keyPasswordFile && readSecretFile(ssl.keyPasswordFile, 'kafka.ssl.keyPasswordFile'));
      if (passphrase) native['ssl.key.password'] = passphrase;
    }
  }
  if (sasl) {
    native['sasl.mechanisms'] = sasl.mechanism.toUpperCase();
    if (sasl.mechanism === 'oauthbearer') {
      // this librdkafka build has no libcurl (no sasl.oauthbearer.method=oidc): tokens come from oauth-token.ts
      native.oauthbearer_token_refresh_cb = async () => {
        try {
          const token = await oauthBearerToken(sasl);
          // the binding sets the token when this promise settles (a microtask): the listener runs after that
          if (onTokenSet) setImmediate(onTokenSet);
          return { tokenValue: token.value, lifetime: token.expiresAtMs, principal: token.principal };
        } catch (error) {
          if (onTokenSet) setImmediate(() => onTokenSet(error as Error));
          throw error;
        }
      };
    } else {
      native['sasl.username'] = sasl.username;
      native['sasl.password'] = sasl.password ?? readSecretFile(sasl.passwordFile as string, 'kafka.sasl.passwordFile');
    }
  }
  return native;
}

export const newClientId = (config: KafkaConfig, suffix: string): string => `${config.clientId}-${suffix}-${randomUUID().slice(0, 8)}`;

/** The one place a librdkafka client of the KafkaJS API is built: brokers, TLS and SASL from the topology's `kafka`. */
export function createRdKafka(config: KafkaConfig, clientSuffix: string, onTokenSet?: TokenSetListener): RdKafkaClient {
  const clientId = newClientId(config, clientSuffix);
  const kafkaJS: KafkaJS.KafkaConfig = {
    brokers: [], // the connection comes from librdkafka's own settings below
    requestTimeout: config.requestTimeoutMs,
    logLevel: confluent.KafkaJS.logLevel.WARN,
    logger: pinoLogger(),
  };
  const { 'bootstrap.servers': servers, ...connection } = librdkafkaConnection(config, clientId, onTokenSet);
  kafkaJS.brokers = String(servers).split(',');
  const kafka = new confluent.KafkaJS.Kafka({ kafkaJS, ...connection });
  settingsOf.set(kafka, config);
  return { kafka, clientId };
}

const settingsOf = new WeakMap<Kafka, KafkaConfig>();

/**
 * An admin client, connected, built from `kafka`'s settings. Each admin call of the binding holds
 * the client's connection lock until it returns, and the binding sets an OAUTHBEARER token under
 * that lock on the main thread: a call made before the new client had its token waited for a
 * connection that needed the token, froze the whole process and failed when its timeout ran out.
 * With OAUTHBEARER, the admin client therefore gets its own token listener and is handed out only
 * once its token is set.
 */
export async function connectAdmin(kafka: Kafka): Promise<Admin> {
  const config = kafkaSettingsOf(kafka);
  if (config.sasl?.mechanism !== 'oauthbearer') {
    const admin = kafka.admin();
    await admin.connect();
    return admin;
  }
  let told: TokenSetListener = () => undefined;
  const tokenSet = new Promise<void>((resolve, reject) => {
    told = (error) => (error ? reject(error) : resolve());
  });
  const guardMs = Math.max(config.requestTimeoutMs, 30_000);
  const guard = setTimeout(
    () => told(new SiemStreamError('KAFKA_TRANSIENT', `an admin client had no OAUTHBEARER token after ${guardMs} ms`)),
    guardMs,
  );
  const { kafka: own } = createRdKafka(config, 'admin', (error) => told(error));
  const admin = own.admin();
  try {
    await admin.connect();
    await tokenSet;
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(guard);
  }
}

/** The topology settings a client was built from: readers and the protocol client (configs) connect with the same ones. */
export function kafkaSettingsOf(kafka: Kafka): KafkaConfig {
  const config = settingsOf.get(kafka);
  if (!config) throw new Error('a Kafka client not built by createRdKafka has no known settings');
  return config;
}

export const RdIsolationLevel = confluent.KafkaJS.IsolationLevel;

/**
 * How much of a backlog a stage's consumer holds ahead of its work: the client's message cache
 * this much consumption per worker (its default, 1.5 s, was ~55,000 messages at 3 workers and
 * doubled the parser's RSS), librdkafka's prefetch queue this many KiB (default 64 MiB).
 */
export const CONSUMER_PREFETCH = {
  'js.consumer.max.cache.size.per.worker.ms': 300,
  'queued.max.messages.kbytes': 16_384,
} as const;
