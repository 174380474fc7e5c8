import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { type RecordOutcome, type RunningLoop, runTransactionalLoop } from '../../src/kafka/transactional-loop.js';
import { rootLogger } from '../../src/observability/logger.js';
import { transactions } from '../../src/observability/metrics.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const PER_PARTITION = 200;

/**
 * A zombie: a member stuck in the middle of a chunk for longer than its poll interval loses its
 * place in the group, and a successor processes its partitions. When it wakes up and tries to
 * commit that chunk, the offsets it sends carry its old group generation (KIP-447), so the
 * transaction is refused and aborted: no record is written twice.
 */
describe('transactional loop: a zombie that wakes up after its partitions moved on', () => {
  it('cannot commit from its stale generation', async () => {
    const topology = testTopology();
    const kafka = createKafka(topology.kafka, 'test');
    const prefix = `zp-${randomUUID().slice(0, 8)}`;
    const [input, output, dlq] = [`${prefix}.in`, `${prefix}.out`, `${prefix}.dlq`];
    await ensureTopics(
      kafka,
      [input, output, dlq].map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    );
    const producer = kafka.producer(PRODUCER_DEFAULTS);
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
      kafka: { ...topology.kafka, sessionTimeoutMs: 6_000, maxPollIntervalMs: 8_000 },
      stage: 'zombie-test',
      groupId,
      topics: [input],
      dlqTopic: dlq,
      maxRecordsPerTransaction: 1_000,
    };
    const aborts = async () =>
      (await transactions.get()).values.find((v) => v.labels.stage === 'zombie-test' && v.labels.result === 'abort')?.value ?? 0;
    // The zombie is stuck in the middle of partition 0's first chunk, past its poll interval.
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
    let successor: RunningLoop | undefined;
    try {
      await zombieBlocked;
      successor = await runTransactionalLoop({ ...options, logger: rootLogger.child({ test: 'successor' }), transform: copy });
      await waitFor('the successor to copy both partitions', async () =>
        (await readAll(kafka, output)).length >= 2 * PER_PARTITION ? true : undefined,
      );

      const abortsBefore = await aborts();
      release();
      await waitFor("the zombie's commit to be refused and aborted", async () => ((await aborts()) > abortsBefore ? true : undefined));
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
