import { randomUUID } from 'node:crypto';
import confluent from '@confluentinc/kafka-javascript';
import type { KafkaConfig } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import type { ConsumedMessage } from './message.js';
import { librdkafkaConnection, newClientId } from './rdkafka.js';

const OFFSET_BEGINNING = -2;
const CONSUME_BATCH = 5_000;

type NativeConsumer = InstanceType<typeof confluent.KafkaConsumer>;

/**
 * Reads one partition from its start to its end as a read_committed reader sees it now (the last
 * stable offset: what an open transaction wrote is not there yet), calling `onMessage` in order.
 * State restores use it (a stage's changelog partition after the group handed it the partition;
 * librdkafka fetched the group's offsets with require_stable first, so no transaction of a previous
 * owner of that partition is still completing). No group: the partition is assigned directly.
 */
export async function readPartitionToEnd(
  config: KafkaConfig,
  topic: string,
  partition: number,
  onMessage: (message: ConsumedMessage) => void,
  timeoutMs = 300_000,
): Promise<void> {
  const consumer: NativeConsumer = new confluent.KafkaConsumer(
    {
      ...librdkafkaConnection(config, newClientId(config, 'restore')),
      'group.id': `siem-restore-${randomUUID()}`, // required by librdkafka; nothing joins or commits
      'enable.auto.commit': false,
      'isolation.level': 'read_committed',
      'enable.partition.eof': true,
      'fetch.wait.max.ms': 100,
    },
    {},
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: config.connectionTimeoutMs }, (error) => (error ? reject(error) : resolve())),
  );
  try {
    let atEnd = false;
    consumer.on('partition.eof', (eof) => {
      if (eof.topic === topic && eof.partition === partition) atEnd = true;
    });
    consumer.assign([{ topic, partition, offset: OFFSET_BEGINNING }]);
    const deadline = Date.now() + timeoutMs;
    while (!atEnd) {
      if (Date.now() > deadline)
        throw new SiemStreamError('KAFKA_TRANSIENT', `reading ${topic}[${partition}] did not reach its end within ${timeoutMs} ms`);
      const messages = await new Promise<confluent.Message[]>((resolve, reject) =>
        consumer.consume(CONSUME_BATCH, (error, batch) => (error ? reject(error) : resolve(batch))),
      );
      for (const m of messages) {
        onMessage({
          key: m.key === undefined || m.key === null ? null : Buffer.from(m.key),
          value: m.value,
          offset: String(m.offset),
          timestamp: String(m.timestamp ?? 0),
        });
      }
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
