import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { setGroupOffsets } from '../../src/ops/set-group-offsets.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

describe('setGroupOffsets', () => {
  it('positions an empty group, and is refused while the group has a live member, whose position stays', async () => {
    const topology = testTopology();
    const kafka = createKafka(topology.kafka, 'test');
    const topic = `${topology.topics.prefix}offsets`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: String(i) })) });
    await producer.disconnect();
    const group = `${topology.topics.prefix}group`;
    await setGroupOffsets(kafka, group, [{ topic, partition: 0, offset: 5n }]);

    const consumer = kafka.consumer({ kafkaJS: { groupId: group, autoCommit: false } });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      const read: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          read.push(message.offset);
        },
      });
      // the member starts where the offsets were set
      await waitFor('the member to read', async () => (read.length > 0 ? true : undefined), 60_000, 200);
      expect(read[0]).toBe('5');
      await expect(setGroupOffsets(kafka, group, [{ topic, partition: 0, offset: 1n }])).rejects.toThrow(/live member/);
    } finally {
      await consumer.disconnect();
    }
  });
});
