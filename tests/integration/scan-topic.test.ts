import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { scanTopic } from '../../src/ops/scan-topic.js';
import { testTopology } from '../support/test-topology.js';

describe('scanTopic', () => {
  it('visits each committed record of a topic longer than one fetch exactly once', async () => {
    const topology = testTopology();
    const kafka = createKafka(topology.kafka, 'test');
    const topic = `${topology.topics.prefix}scan`;
    await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    // ~3 MB per partition: several fetches (librdkafka's consume batch is 5,000 records, its fetch 1 MB per partition), in transactions
    const producer = kafka.producer({
      kafkaJS: { ...PRODUCER_DEFAULTS.kafkaJS, transactionalId: `${topology.name}-scan`, maxInFlightRequests: 1 },
    });
    await producer.connect();
    const records = 6_000;
    const value = 'x'.repeat(1_000);
    for (let start = 0; start < records; start += 1_000) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        messages: Array.from({ length: 1_000 }, (_, i) => ({ key: String(start + i), value, partition: (start + i) % 2 })),
      });
      await transaction.commit();
    }
    await producer.disconnect();

    const seen = new Map<string, number>();
    await scanTopic(kafka, topic, (_, message) => {
      const key = String(message.key);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return undefined;
    });
    expect(seen.size).toBe(records);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    // false stops the scan at once: nothing more is visited
    let visited = 0;
    await scanTopic(kafka, topic, () => ++visited < 10);
    expect(visited).toBe(10);
  });
});
