/**
 * The maintained client chosen in docs/decisions/kafka-client.md: @confluentinc/kafka-javascript
 * (librdkafka), through its KafkaJS-compatible API. The transactional stages (parser, enricher) run
 * on it; the rest of the project still uses kafkajs through client.ts until it moves too.
 */
import { randomUUID } from 'node:crypto';
import confluent, { type KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaConfig } from '../config/schema.js';
import { readSecretFile } from '../config/secret-file.js';
import { SiemStreamError } from '../errors.js';
import { rootLogger } from '../observability/logger.js';

export type RdKafka = KafkaJS.Kafka;
export type RdProducer = KafkaJS.Producer;
export type RdConsumer = KafkaJS.Consumer;
export type RdAdmin = KafkaJS.Admin;
export type RdEachBatchPayload = KafkaJS.EachBatchPayload;
export type RdKafkaMessage = KafkaJS.KafkaMessage;
export type RdTopicPartition = { topic: string; partition: number };

export const { ErrorCodes: RdErrorCodes } = confluent.KafkaJS;
export const RdGroupStates = confluent.KafkaJS.ConsumerGroupStates;

/** librdkafka's log lines, into the process's pino logger. */
function pinoLogger(namespace = 'rdkafka'): KafkaJS.Logger {
  const log = rootLogger.child({ component: 'rdkafka', namespace });
  return {
    info: (message, extra) => log.info(extra ?? {}, message),
    warn: (message, extra) => log.warn(extra ?? {}, message),
    error: (message, extra) => log.error(extra ?? {}, message),
    debug: (message, extra) => log.debug(extra ?? {}, message),
    namespace: (name) => pinoLogger(name),
    setLogLevel: () => undefined,
  };
}

export interface RdKafkaClient {
  kafka: RdKafka;
  /** unique per process: the group's member list shows it, so the liveness check can find this member */
  clientId: string;
}

/** The topology's `kafka` connection settings in librdkafka's names: the one mapping, used by every client built here. */
export function librdkafkaConnection(config: KafkaConfig, clientId: string): Record<string, string | number | boolean> {
  const native: Record<string, string | number | boolean> = {
    'bootstrap.servers': config.brokers.join(','),
    'client.id': clientId,
    'socket.connection.setup.timeout.ms': config.connectionTimeoutMs,
  };
  const { ssl, sasl } = config;
  native['security.protocol'] = `${sasl ? 'sasl_' : ''}${ssl ? 'ssl' : 'plaintext'}`;
  if (ssl) {
    native['enable.ssl.certificate.verification'] = ssl.rejectUnauthorized;
    if (ssl.caFile) native['ssl.ca.location'] = ssl.caFile;
  }
  if (sasl) {
    native['sasl.mechanisms'] = sasl.mechanism.toUpperCase();
    native['sasl.username'] = sasl.username;
    native['sasl.password'] = sasl.password ?? readSecretFile(sasl.passwordFile as string, 'kafka.sasl.passwordFile');
  }
  return native;
}

export const newClientId = (config: KafkaConfig, suffix: string): string => `${config.clientId}-${suffix}-${randomUUID().slice(0, 8)}`;

/** The one place a librdkafka client of the KafkaJS API is built: brokers, TLS and SASL from the topology's `kafka`. */
export function createRdKafka(config: KafkaConfig, clientSuffix: string): RdKafkaClient {
  const clientId = newClientId(config, clientSuffix);
  const kafkaJS: KafkaJS.KafkaConfig = {
    brokers: [], // the connection comes from librdkafka's own settings below
    requestTimeout: config.requestTimeoutMs,
    logLevel: confluent.KafkaJS.logLevel.WARN,
    logger: pinoLogger(),
  };
  const { 'bootstrap.servers': servers, ...connection } = librdkafkaConnection(config, clientId);
  kafkaJS.brokers = String(servers).split(',');
  const kafka = new confluent.KafkaJS.Kafka({ kafkaJS, ...connection });
  settingsOf.set(kafka, config);
  return { kafka, clientId };
}

const settingsOf = new WeakMap<RdKafka, KafkaConfig>();

/** The topology settings a client was built from: readers and the protocol client (configs) connect with the same ones. */
export function kafkaSettingsOf(kafka: RdKafka): KafkaConfig {
  const config = settingsOf.get(kafka);
  if (!config) throw new Error('a Kafka client not built by createRdKafka has no known settings');
  return config;
}

export const RdIsolationLevel = confluent.KafkaJS.IsolationLevel;

const RECORDS_REFUSED = new Set([
  RdErrorCodes.ERR_MSG_SIZE_TOO_LARGE,
  RdErrorCodes.ERR_RECORD_LIST_TOO_LARGE,
  RdErrorCodes.ERR_INVALID_RECORD,
  RdErrorCodes.ERR_INVALID_MSG,
]);

interface RdError {
  message?: string;
  code?: number;
  fatal?: boolean;
  retriable?: boolean;
  abortable?: boolean;
}

/**
 * A librdkafka failure in the project's error model. Fatal (fenced, or the producer's state is
 * lost) needs a new producer: the process exits and its supervisor starts it again.
 */
export function classifyRdKafkaError(error: unknown, stage: string): SiemStreamError {
  if (error instanceof SiemStreamError) return error;
  const e = (error ?? {}) as RdError;
  const message = `kafka request failed: ${e.message ?? String(error)}`;
  if (
    e.code === RdErrorCodes.ERR__FENCED ||
    e.code === RdErrorCodes.ERR_PRODUCER_FENCED ||
    e.code === RdErrorCodes.ERR_INVALID_PRODUCER_EPOCH
  )
    return new SiemStreamError('KAFKA_FENCED', `producer fenced: ${e.message}`, { stage, cause: error });
  // the broker refuses the records themselves (their size or shape): the same chunk would be refused forever
  if (e.fatal || (e.code !== undefined && RECORDS_REFUSED.has(e.code)))
    return new SiemStreamError('KAFKA_FATAL', message, { stage, cause: error });
  return new SiemStreamError('KAFKA_TRANSIENT', message, { stage, cause: error });
}

/** Whether the broker refused the records themselves (their size or shape). */
export const isRecordsRefused = (error: unknown): boolean => {
  const code = (error as RdError | undefined)?.code;
  return code !== undefined && RECORDS_REFUSED.has(code);
};

/** Whether a transactional call may be repeated as is ("retry call to resume", e.g. a commit that timed out). */
export const isRetriableCall = (error: unknown): boolean => (error as RdError | undefined)?.retriable === true;
/** Whether the producer must be replaced (fenced, or its transactional state is lost). */
export const isFatalProducerError = (error: unknown): boolean => (error as RdError | undefined)?.fatal === true;
