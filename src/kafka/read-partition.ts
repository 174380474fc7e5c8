import { randomUUID } from 'node:crypto';
import confluent from '@confluentinc/kafka-javascript';
import type { KafkaConfig } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import type { ConsumedMessage, MessageHeaders } from './message.js';
import { librdkafkaConnection, newClientId } from './rdkafka.js';

const OFFSET_BEGINNING = -2;
const CONSUME_BATCH = 5_000;

type NativeConsumer = InstanceType<typeof confluent.KafkaConsumer>;

export interface ReadOptions {
  /** read_committed (default): aborted records are skipped and the read stops at the last stable offset */
  readUncommitted?: boolean;
  /**
   * read on until this offset (exclusive) instead of stopping at the end as it is now: a
   * read_committed reader given the high watermark waits for the transactions open at call time to
   * complete (the progress restore of a topic others write to needs that)
   */
  until?: bigint;
  /** the first offset to read (default: the log start) */
  from?: bigint;
  timeoutMs?: number;
}

/**
 * The one way the project reads a partition to its end: no group (the partition is assigned
 * directly), from its first offset (or `from`), calling `onMessage` in order until it returns false. It ends at the end offset a
 * reader of its isolation level sees (librdkafka's partition EOF: the last stable offset under
 * read_committed, the high watermark under read_uncommitted), or at `until`. State restores, the
 * operations commands and the tests' counts all use it.
 */
export async function readPartitionToEnd(
  config: KafkaConfig,
  topic: string,
  partition: number,
  onMessage: (message: ConsumedMessage) => unknown,
  options: ReadOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const consumer = await connectReader(config, { readUncommitted: options.readUncommitted === true, eof: true });
  try {
    let reached = -1n;
    let atEof = false;
    consumer.on('partition.eof', (eof) => {
      if (eof.topic !== topic || eof.partition !== partition) return;
      atEof = true;
      if (BigInt(eof.offset) > reached) reached = BigInt(eof.offset);
    });
    consumer.assign([{ topic, partition, offset: options.from === undefined ? OFFSET_BEGINNING : Number(options.from) }]);
    const deadline = Date.now() + timeoutMs;
    const done = () => (options.until === undefined ? atEof : reached >= options.until);
    while (!done()) {
      if (Date.now() > deadline)
        throw new SiemStreamError('KAFKA_TRANSIENT', `reading ${topic}[${partition}] did not reach its end within ${timeoutMs} ms`);
      const messages = await consumeSome(consumer);
      for (const m of messages) {
        if (options.until !== undefined && BigInt(m.offset) >= options.until) continue;
        if (BigInt(m.offset) + 1n > reached) reached = BigInt(m.offset) + 1n;
        if (onMessage(consumedMessage(m)) === false) return; // the caller has what it came for
      }
    }
  } finally {
    await disconnectReader(consumer);
  }
}

export type NativeReader = NativeConsumer;

/** A connected consumer that belongs to no group, for direct assignment (the one reader, the progress watcher). */
export async function connectReader(config: KafkaConfig, options: { readUncommitted: boolean; eof: boolean }): Promise<NativeReader> {
  const consumer: NativeConsumer = new confluent.KafkaConsumer(
    {
      ...librdkafkaConnection(config, newClientId(config, 'reader')),
      'group.id': `siem-reader-${randomUUID()}`, // required by librdkafka; nothing joins or commits
      'enable.auto.commit': false,
      'isolation.level': options.readUncommitted ? 'read_uncommitted' : 'read_committed',
      'enable.partition.eof': options.eof,
      'fetch.wait.max.ms': 100,
    },
    {},
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: config.connectionTimeoutMs }, (error) => (error ? reject(error) : resolve())),
  );
  // consume(n) waits up to the timeout for the first message, then takes what is there: by default it
  // waits for n messages as long as each follows the last within the timeout, which a steady trickle
  // (a lister's state records) stretches without end
  (consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(on: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
  return consumer;
}

/** The next messages of the assigned partitions (an empty list when none arrived in time). */
export function consumeSome(consumer: NativeReader, max = CONSUME_BATCH): Promise<confluent.Message[]> {
  return new Promise((resolve, reject) => consumer.consume(max, (error, batch) => (error ? reject(error) : resolve(batch))));
}

export function disconnectReader(consumer: NativeReader): Promise<void> {
  return new Promise((resolve) => consumer.disconnect(() => resolve()));
}

/**
 * librdkafka's message in the project's shape (headers as one object, a repeated header's values
 * in an array as the KafkaJS API gives them; offsets and timestamps as strings).
 */
export function consumedMessage(m: confluent.Message): ConsumedMessage {
  const headers: MessageHeaders = {};
  for (const header of m.headers ?? [])
    for (const [k, v] of Object.entries(header)) {
      const before = headers[k];
      headers[k] = before === undefined ? (v as Buffer) : [before, v as Buffer].flat();
    }
  return {
    key: m.key === undefined || m.key === null ? null : Buffer.from(m.key),
    value: m.value,
    offset: String(m.offset),
    timestamp: String(m.timestamp ?? 0),
    headers,
  };
}

/**
 * A topic's partition ids through a reader's metadata request. Not the KafkaJS admin: over
 * OAUTHBEARER a new admin client at times never gets its token and times out (seen in the lister).
 */
export async function topicPartitionIds(config: KafkaConfig, topic: string): Promise<number[]> {
  const reader = await connectReader(config, { readUncommitted: true, eof: false });
  try {
    const metadata = await new Promise<confluent.Metadata>((resolve, reject) =>
      reader.getMetadata({ topic, timeout: config.requestTimeoutMs }, (error, data) => (error ? reject(error) : resolve(data))),
    );
    const found = metadata.topics.find((t) => t.name === topic);
    if (!found || found.partitions.length === 0)
      throw new SiemStreamError('KAFKA_TRANSIENT', `topic ${topic} has no partitions in the metadata yet`);
    return found.partitions.map((p) => p.id).sort((a, b) => a - b);
  } finally {
    await disconnectReader(reader);
  }
}
