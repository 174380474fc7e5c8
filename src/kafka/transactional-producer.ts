/**
 * The project's transactional producer, on the client's native (node-rdkafka) producer rather
 * than its KafkaJS API: a record is handed to librdkafka with one `produce` call — no promise, no
 * header-array conversion by the client and no delivery report per record (0.72× the CPU per record
 * of the KafkaJS API's `send`, `npm run bench:produce`). Nothing is lost by that: librdkafka's commit
 * flushes the transaction's records and fails (abortable) when any of them failed, and
 * `delivered()` flushes them before the commit for the exactly-once tests' fault point.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import confluent, { type KafkaConsumer, type MessageHeader, type Producer as NativeProducer } from '@confluentinc/kafka-javascript';
import type { Codec } from '../config/compression.js';
import type { KafkaConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Consumer } from './client.js';
import { classifyKafkaError } from './kafka-errors.js';
import type { MessageHeaders } from './message.js';
import { type LibrdkafkaSettings, librdkafkaConnection, newClientId, RdErrorCodes } from './rdkafka.js';
import type { ConsumedOffset, OpenTransaction, OutputRecord, TransactionalProducer } from './transaction.js';

export interface TransactionalProducerOptions {
  /** names the client (its client.id) */
  clientSuffix: string;
  transactionalId: string;
  transactionTimeoutMs: number;
  compression?: Codec;
  /** the consumer whose group metadata goes with the offsets (KIP-447); without one a transaction commits no offsets */
  consumer?: Consumer;
  /** librdkafka settings over the defaults below */
  settings?: Record<string, string | number | boolean>;
  logger: Logger;
}

export interface TransactionalProducerClient extends TransactionalProducer {
  /** connects and runs InitProducerId: fences an earlier producer with the same transactional id and aborts its open transaction */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/** librdkafka's transactional calls: the timeout of each call (a commit that timed out is "retried to resume") */
const CALL_TIMEOUT_MS = 5_000;
const QUEUE_FULL_WAIT_MS = 5;
const FLUSH_STEP_MS = 1;

/** What the KafkaJS API set for the project's producers, kept so that partitions and retries do not change with the API. */
function producerSettings(config: KafkaConfig, clientId: string, options: TransactionalProducerOptions): LibrdkafkaSettings {
  return {
    ...librdkafkaConnection(config, clientId),
    // the Java client's partitioner: a key lands where Kafka Streams and kafkajs put it
    partitioner: 'murmur2_random',
    'socket.timeout.ms': Math.min(config.requestTimeoutMs, options.transactionTimeoutMs + 100),
    'retry.backoff.ms': 300,
    'retry.backoff.max.ms': 30_000,
    retries: 5,
    acks: -1,
    'max.in.flight': 5,
    'linger.ms': 5,
    'compression.type': options.compression ?? 'none',
    'transactional.id': options.transactionalId,
    'transaction.timeout.ms': options.transactionTimeoutMs,
    log_level: 4,
    ...options.settings,
  };
}

export function createTransactionalProducer(config: KafkaConfig, options: TransactionalProducerOptions): TransactionalProducerClient {
  const clientId = newClientId(config, options.clientSuffix);
  const log = options.logger.child({ component: 'rdkafka', clientId });
  const producer = new confluent.Producer(
    producerSettings(config, clientId, options) as ConstructorParameters<typeof confluent.Producer>[0],
  );
  producer.on('event.log', (entry: { severity: number; fac: string; message: string }) => {
    if (entry.severity <= 3) log.error({ facility: entry.fac }, entry.message);
    else if (entry.severity === 4) log.warn({ facility: entry.fac }, entry.message);
  });
  // transactional calls report their own failures; these are the client's background errors (a broker down, a token refused)
  producer.on('event.error', (error) => log.warn({ err: error }, 'producer error'));
  // an OAUTHBEARER token that could not be fetched is emitted as 'error', which would throw without a listener
  (producer as unknown as NodeJS.EventEmitter).on('error', (error: unknown) => log.warn({ err: error }, 'producer error'));

  // one producer has one transaction at a time: callers working side by side (the source's objects) take turns
  let lane: Promise<void> = Promise.resolve();
  return {
    classify: classifyKafkaError,
    connect: async () => {
      await call<unknown>((done) => producer.connect(undefined, (error) => done(error)));
      await call((done) => producer.initTransactions(CALL_TIMEOUT_MS, done));
      producer.setPollInBackground(true);
    },
    disconnect: () => call((done) => producer.disconnect(CALL_TIMEOUT_MS, (error) => done(error))),
    begin: async () => {
      const previous = lane;
      let release: () => void = () => undefined;
      lane = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      try {
        await call((done) => producer.beginTransaction(done));
      } catch (error) {
        release();
        throw error;
      }
      return openTransaction(producer, options, release);
    },
  };
}

function openTransaction(producer: NativeProducer, options: TransactionalProducerOptions, release: () => void): OpenTransaction {
  // librdkafka's flush polls for delivery reports in 10 ms steps, and without them waits each step out:
  // short flushes, repeated, see the records acknowledged within a millisecond or two
  const flush = async () => {
    const deadline = Date.now() + options.transactionTimeoutMs;
    for (;;) {
      try {
        return await call((done) => producer.flush(FLUSH_STEP_MS, done));
      } catch (error) {
        if ((error as NativeError).code !== RdErrorCodes.ERR__TIMED_OUT || Date.now() > deadline) throw error;
      }
    }
  };
  return {
    write: async (records) => {
      for (const record of records) while (!produce(producer, record)) await sleep(QUEUE_FULL_WAIT_MS);
    },
    delivered: flush,
    sendOffsets: async (consumed: ConsumedOffset[]) => {
      const { consumer } = options;
      if (!consumer) throw new Error('a transaction of a producer without a consumer cannot commit consumed offsets');
      const offsets = consumed.map(({ topic, partition, nextOffset }) => ({ topic, partition, offset: Number(nextOffset) }));
      await call((done) => producer.sendOffsetsToTransaction(offsets, nativeConsumerOf(consumer), CALL_TIMEOUT_MS, done));
    },
    commit: async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await call((done) => producer.commitTransaction(CALL_TIMEOUT_MS, done));
          release();
          return;
        } catch (error) {
          if (!(error as NativeError).retriable || attempt >= COMMIT_ATTEMPTS) throw error;
          await sleep(COMMIT_RETRY_MS);
        }
      }
    },
    abort: async () => {
      try {
        await call((done) => producer.abortTransaction(CALL_TIMEOUT_MS, done)); // purges what is still in flight
      } finally {
        release();
      }
    },
  };
}

const COMMIT_ATTEMPTS = 5;
const COMMIT_RETRY_MS = 1_000;

/**
 * Hands one record to librdkafka; false when its queue is full (the records of a large transaction
 * still in flight): the caller waits for room and tries again.
 */
function produce(producer: NativeProducer, record: OutputRecord): boolean {
  const value = typeof record.value === 'string' ? Buffer.from(record.value) : record.value;
  const timestamp = record.timestamp ? Number(record.timestamp) : null;
  const headers = record.headers ? nativeHeaders(record.headers) : undefined;
  try {
    producer.produce(record.topic, record.partition ?? -1, value, record.key ?? null, timestamp, undefined, headers);
    return true;
  } catch (error) {
    if ((error as NativeError).code === RdErrorCodes.ERR__QUEUE_FULL) return false;
    throw nativeError(error);
  }
}

function nativeHeaders(headers: MessageHeaders): MessageHeader[] {
  const out: MessageHeader[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const each of value) out.push({ [key]: each });
    else out.push({ [key]: value });
  }
  return out;
}

interface NativeError {
  message?: string;
  code?: number;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
  /** set on the errors nativeError() made */
  retriable?: boolean;
}

/** The native client's error in the shape kafka-errors.ts reads (the same names as the KafkaJS API's errors). */
function nativeError(error: unknown): Error {
  const e = (error ?? {}) as NativeError;
  const wrapped = new Error(e.message ?? String(error), { cause: error });
  return Object.assign(wrapped, {
    code: e.code,
    fatal: e.isFatal === true,
    retriable: e.isRetriable === true,
    abortable: e.isTxnRequiresAbort === true,
  });
}

/** The native consumer under the KafkaJS API's: its group metadata goes with a transaction's offsets. */
const nativeConsumerOf = (consumer: Consumer): KafkaConsumer =>
  (consumer as unknown as { _getInternalClient(): KafkaConsumer })._getInternalClient();

function call<T = void>(start: (done: (error: unknown, result?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, result) => (error ? reject(nativeError(error)) : resolve(result as T)));
  });
}
