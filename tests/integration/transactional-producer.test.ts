import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { commitTransaction } from '../../src/kafka/transaction.js';
import { createTransactionalProducer } from '../../src/kafka/transactional-producer.js';
import { rootLogger } from '../../src/observability/logger.js';
import { testTopology } from '../support/test-topology.js';

const topology = testTopology();
const kafka = createKafka(topology.kafka, 'test');
const prefix = `${topology.topics.prefix}txp-`;

function producer(id: string, settings?: Record<string, string | number | boolean>) {
  return createTransactionalProducer(topology.kafka, {
    clientSuffix: 'test',
    transactionalId: `${prefix}${id}`,
    transactionTimeoutMs: 30_000,
    logger: rootLogger,
    ...(settings ? { settings } : {}),
  });
}

describe('the native transactional producer', () => {
  it('writes records with their keys, headers and timestamps; read_committed sees a commit, never an abort', async () => {
    const topic = `${prefix}records`;
    await ensureTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const p = producer('records');
    await p.connect();
    try {
      const records = Array.from({ length: 300 }, (_, i) => ({
        topic,
        key: `k${i}`,
        value: i % 2 ? Buffer.from(`v${i}`) : `v${i}`,
        headers: { one: 'a', many: ['b', Buffer.from('c')] },
        timestamp: String(1_700_000_000_000 + i),
      }));
      await commitTransaction(p, { records }, { stage: 'test' });
      const aborted = await p.begin();
      await aborted.write([{ topic, key: 'aborted', value: 'never seen' }]);
      await aborted.delivered(); // in the log, uncommitted
      await aborted.abort();
    } finally {
      await p.disconnect();
    }
    const read = await readAll(kafka, topic);
    expect(read).toHaveLength(300);
    const byKey = new Map(read.map((r) => [String(r.message.key), r]));
    expect(byKey.has('aborted')).toBe(false);
    const sample = byKey.get('k7');
    expect(String(sample?.message.value)).toBe('v7');
    expect(sample?.message.timestamp).toBe(String(1_700_000_000_007));
    expect(String(sample?.message.headers?.one)).toBe('a');
    expect(((sample?.message.headers?.many ?? []) as Buffer[]).map(String)).toEqual(['b', 'c']);
  });

  it('puts a key on the partition the KafkaJS API (the Java partitioner) puts it on', async () => {
    const topic = `${prefix}partitions`;
    await ensureTopics(kafka, [{ topic, numPartitions: 6, replicationFactor: 1 }]);
    const keys = Array.from({ length: 200 }, (_, i) => `entity-${i}`);
    const p = producer('partitions');
    await p.connect();
    await commitTransaction(p, { records: keys.map((key) => ({ topic, key, value: 'native' })) }, { stage: 'test' });
    await p.disconnect();
    const plain = kafka.producer(PRODUCER_DEFAULTS);
    await plain.connect();
    await plain.send({ topic, messages: keys.map((key) => ({ key, value: 'kafkajs' })) });
    await plain.disconnect();

    const placed = new Map<string, Record<string, number>>();
    for (const { partition, message } of await readAll(kafka, topic)) {
      const entry = placed.get(String(message.key)) ?? {};
      entry[String(message.value)] = partition;
      placed.set(String(message.key), entry);
    }
    expect(placed.size).toBe(keys.length);
    for (const [key, where] of placed) expect({ key, ...where }).toEqual({ key, native: where.kafkajs, kafkajs: where.kafkajs });
    expect(new Set([...placed.values()].map((w) => w.native)).size).toBe(6);
  });

  it('commits a transaction larger than its send queue: a full queue waits for room', async () => {
    const topic = `${prefix}queue`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const p = producer('queue', { 'queue.buffering.max.messages': 100 });
    await p.connect();
    const value = 'x'.repeat(1_000);
    await commitTransaction(p, { records: Array.from({ length: 5_000 }, (_, i) => ({ topic, key: String(i), value })) }, { stage: 'test' });
    await p.disconnect();
    const keys = (await readAll(kafka, topic)).map((r) => Number(String(r.message.key)));
    expect(keys).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('refuses a record over the broker limit as fatal, and the transaction writes nothing', async () => {
    const topic = `${prefix}too-large`;
    await ensureTopics(kafka, [
      { topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '10000' }] },
    ]);
    const p = producer('too-large');
    await p.connect();
    try {
      const records = [
        { topic, key: 'small', value: 'fits' },
        { topic, key: 'large', value: Buffer.alloc(50_000, 1) },
      ];
      await expect(commitTransaction(p, { records }, { stage: 'test' })).rejects.toMatchObject({ code: 'KAFKA_FATAL', retriable: false });
    } finally {
      await p.disconnect();
    }
    expect(await readAll(kafka, topic)).toEqual([]);
  });

  it('is fenced by a newer producer of the same transactional id, and says so', async () => {
    const topic = `${prefix}fenced`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const old = producer('fenced');
    await old.connect();
    const open = await old.begin();
    await open.write([{ topic, key: 'zombie', value: 'z' }]);
    const newer = producer('fenced');
    await newer.connect(); // InitProducerId: aborts the old one's transaction and bumps the epoch
    try {
      await commitTransaction(newer, { records: [{ topic, key: 'live', value: 'l' }] }, { stage: 'test' });
      const failure = await open.commit().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ fatal: true });
      await open.abort().catch(() => undefined); // as commitTransaction does: frees the producer for the next begin
      await expect(commitTransaction(old, { records: [{ topic, key: 'zombie-2', value: 'z' }] }, { stage: 'test' })).rejects.toMatchObject({
        code: 'KAFKA_FENCED',
      });
    } finally {
      await old.disconnect().catch(() => undefined);
      await newer.disconnect();
    }
    expect((await readAll(kafka, topic)).map((r) => String(r.message.key))).toEqual(['live']);
  });
});
