import { readFileSync } from 'node:fs';
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/schema.js';
import { rootLogger } from '../observability/logger.js';

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The one place a Kafka client is built: every stage and tool goes through here. */
export function createKafka(config: KafkaConfig, clientSuffix: string): Kafka {
  const options: KafkaJsConfig = {
    clientId: `${config.clientId}-${clientSuffix}`,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = PINO_LEVEL[entry.level] ?? 'info';
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
  if (config.sasl) options.sasl = config.sasl as SASLOptions;
  return new Kafka(options);
}
