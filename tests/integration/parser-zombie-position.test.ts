import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { type RecordOutcome, type RunningLoop, runTransactionalLoop } from '../../src/kafka/transactional-loop.js';
import { rootLogger } from '../../src/observability/logger.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const PER_PARTITION = 200;

/**
 * Regression test for the hole the partition-bound transactional id leaves without KIP-447: a
 * zombie that reaches a partition it had not yet created a producer for initialises the id
 * (fencing the rightful owner) and would commit from its stale fetch position, duplicating
 * records. The loop must notice the committed offset is past its position and rejoin instead.
 */
describe('transactional loop: a zombie creating a fresh partition producer', () => {
  it('does not commit from a stale position', async () => {
    const topology = testTopology();
    const kafka = createKafka(topology.kafka, 'test');
    const prefix = `zp-${randomUUID().slice(0, 8)}`;
    const [input, output, dlq] = [`${prefix}.in`, `${prefix}.out`, `${prefix}.dlq`];
    await ensureTopics(
      kafka,
      [input, output, dlq].map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    );
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    for (const partition of [0, 1]) {
      const messages = Array.from({ length: PER_PARTITION }, (_, i) => ({
        partition,
        key: `${partition}-${i}`,
        value: `${partition}-${i}`,
      }));
      await producer.send({ topic: input, messages });
    }
    await producer.disconnect();

    const groupId = `${prefix}-group`;
    const copy = async (record: { key: Buffer | null; value: Buffer | null }): Promise<RecordOutcome> => ({
      kind: 'emit',
      records: [{ topic: output, key: record.key, value: record.value }],
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let blocked: () => void = () => undefined;
    const zombieBlocked = new Promise<void>((resolve) => {
      blocked = resolve;
    });
    let zombieHeld = false;
    const options = {
      kafka,
      stage: 'test',
      groupId,
      topics: [input],
      dlqTopic: dlq,
      maxRecordsPerTransaction: 1_000,
      sessionTimeoutMs: 6_000,
    };
    // The zombie stops (no heartbeats) in the middle of partition 0, before it has a producer for it.
    const zombie: RunningLoop = await runTransactionalLoop({
      ...options,
      logger: rootLogger.child({ test: 'zombie' }),
      transform: async (record) => {
        if (record.partition === 0 && !zombieHeld) {
          zombieHeld = true;
          blocked();
          await gate;
        }
        return copy(record);
      },
    });
    const crashes: string[] = [];
    zombie.consumer.on(zombie.consumer.events.CRASH, ({ payload }) => crashes.push(payload.error.message));
    let successor: RunningLoop | undefined;
    try {
      await zombieBlocked;
      successor = await runTransactionalLoop({ ...options, logger: rootLogger.child({ test: 'successor' }), transform: copy });
      await waitFor('the successor to copy both partitions', async () =>
        (await readAll(kafka, output)).length >= 2 * PER_PARTITION ? true : undefined,
      );

      release();
      await waitFor('the zombie to notice its stale position', async () =>
        crashes.some((m) => /behind the committed offset/.test(m)) ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 3_000));
      const copied = (await readAll(kafka, output)).map((r) => r.message.value?.toString());
      expect(copied).toHaveLength(2 * PER_PARTITION);
      expect(new Set(copied).size).toBe(2 * PER_PARTITION);
    } finally {
      release();
      await zombie.stop();
      await successor?.stop();
    }
  });
});
