import { describe, expect, it } from 'vitest';
import type { SiemStreamError } from '../../src/errors.js';
import { ensureTopics } from '../../src/kafka/admin.js';
import { describeGroup } from '../../src/kafka/protocol/index.js';
import { createRdKafka } from '../../src/kafka/rdkafka.js';
import { rootLogger } from '../../src/observability/logger.js';
import { watchGroupMembership } from '../../src/runtime/group-liveness.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const STALL_MS = 3_000;

describe('the group liveness check (through the protocol client)', () => {
  it('stays quiet for a member of a Stable group; stalls a client id the group does not have, and one whose broker cannot be reached', async () => {
    const topology = testTopology();
    const topic = `${topology.topics.prefix}liveness`;
    const groupId = `${topology.topics.prefix}liveness-group`;
    const { kafka, clientId } = createRdKafka(topology.kafka, 'liveness');
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const consumer = kafka.consumer({ kafkaJS: { groupId, autoCommit: false } });
    await consumer.connect();
    const stalled = new Map<string, SiemStreamError>();
    const watch = (name: string, options: { clientId?: string; brokers?: string[] } = {}) =>
      watchGroupMembership({
        config: { ...topology.kafka, brokers: options.brokers ?? topology.kafka.brokers, connectionTimeoutMs: 500 },
        groupId,
        clientId: options.clientId ?? clientId,
        stallMs: STALL_MS,
        checkEveryMs: 250,
        logger: rootLogger,
        onStalled: (error) => stalled.set(name, error),
      });
    try {
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async () => {} });
      await waitFor(
        'the group to settle',
        async () => ((await describeGroup(topology.kafka, groupId)).state === 'Stable' ? true : undefined),
        60_000,
        250,
      );
      const watches = [
        watch('member'),
        watch('stranger', { clientId: 'not-in-the-group' }),
        watch('unreachable', { brokers: ['127.0.0.1:1'] }),
      ];
      await new Promise((resolve) => setTimeout(resolve, STALL_MS * 2));
      for (const w of watches) w.stop();
      expect([...stalled.keys()].sort()).toEqual(['stranger', 'unreachable']);
      expect(stalled.get('stranger')).toMatchObject({
        code: 'KAFKA_STALLED',
        message: expect.stringMatching(`^${groupId}: this member has not been in a settled group for [3-6] s$`),
      });
      expect(stalled.get('unreachable')).toMatchObject({ code: 'KAFKA_STALLED' });
    } finally {
      await consumer.disconnect();
    }
  });
});
