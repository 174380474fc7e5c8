import { readFileSync } from 'node:fs';
import type { KafkaConfig } from '../config/schema.js';
import { readSecretFile } from '../config/secret-file.js';
import { rootLogger } from '../observability/logger.js';
import {
  type Kafka,
  KafkaClient,
  type KafkaConfig as KafkaJsConfig,
  logLevel,
  Partitioners,
  type ProducerConfig,
  type SASLOptions,
} from './client.js';

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs every retriable broker answer (coordinator loading, CONCURRENT_TRANSACTIONS…) at
 * ERROR before it retries; those are routine. What finally fails reaches our code as an exception
 * and is logged there, so these lines drop to debug.
 */
function retriedByKafkajs(namespace: string, log: { message: string; retryCount?: number; error?: string }): boolean {
  if (namespace === 'Connection' && log.message.startsWith('Response ')) return true;
  return namespace === 'Producer' && typeof log.retryCount === 'number' && log.message.startsWith('Failed to send messages');
}

/** The one place a Kafka client is built: every stage and tool goes through here. */
export function createKafka(config: KafkaConfig, clientSuffix: string): Kafka {
  const options: KafkaJsConfig = {
    clientId: `${config.clientId}-${clientSuffix}`,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = retriedByKafkajs(entry.namespace, entry.log) ? 'debug' : (PINO_LEVEL[entry.level] ?? 'info');
      const { message, ...rest } = entry.log;
      rootLogger.child({ component: 'kafkajs', namespace: entry.namespace })[level](rest, message);
    },
  };
  if (config.ssl) {
    options.ssl = {
      rejectUnauthorized: config.ssl.rejectUnauthorized,
      ...(config.ssl.caFile ? { ca: [readFileSync(config.ssl.caFile, 'utf8')] } : {}),
    };
  }
  if (config.sasl) {
    const { mechanism, username, password, passwordFile } = config.sasl;
    options.sasl = {
      mechanism,
      username,
      password: password ?? readSecretFile(passwordFile as string, 'kafka.sasl.passwordFile'),
    } as SASLOptions;
  }
  return new KafkaClient(options);
}

/**
 * Settings every producer shares. The default partitioner is Java's murmur2, so a keyed record
 * lands where a Java client (Kafka Streams, Connect) would put it; naming it also silences
 * kafkajs's v2 migration warning.
 */
export const PRODUCER_DEFAULTS: ProducerConfig = { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false };
