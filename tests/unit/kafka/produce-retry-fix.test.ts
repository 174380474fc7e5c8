import { describe, expect, it } from 'vitest';
import { createSendMessages } from '../../../src/kafka/kafkajs-produce-retry-fix.js';

/**
 * The scenario the chaos harness met: one transactional send spans two brokers; broker 1 acknowledges
 * partition 0, broker 2 fails partition 1 (NOT_LEADER). Meanwhile leadership moved: after the metadata
 * refresh broker 2 leads both. kafkajs 2.2.4 then sent partition 0 again (a duplicate in the same
 * transaction); the fix sends only partition 1.
 */
describe('kafkajs produce retry fix', () => {
  it('never sends a partition again once a broker acknowledged it, even when its leader moved', async () => {
    let leaders: Record<number, string> = { 0: '1', 1: '2' };
    const sent: Array<{ broker: string; partitions: number[]; firstSequence: number[] }> = [];
    const sequences = new Map<number, number>();
    const broker = (id: string) => ({
      produce: async ({
        topicData,
      }: {
        topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number }> }>;
      }) => {
        const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
        sent.push({ broker: id, partitions, firstSequence: topicData.flatMap((t) => t.partitions.map((p) => p.firstSequence)) });
        if (id === '2' && sent.filter((s) => s.broker === '2').length === 1) {
          leaders = { 0: '2', 1: '2' }; // a preferred-leader election moved partition 0
          throw Object.assign(new Error('This server is not the leader for that topic-partition'), {
            name: 'KafkaJSProtocolError',
            type: 'NOT_LEADER_OR_FOLLOWER',
            retriable: true,
          });
        }
        return { topics: [{ topicName: 't', partitions: partitions.map((partition) => ({ partition, errorCode: 0, baseOffset: '0' })) }] };
      },
    });
    const brokers = { '1': broker('1'), '2': broker('2') };
    const send = createSendMessages({
      logger: { debug: () => undefined, error: () => undefined },
      cluster: {
        addMultipleTargetTopics: async () => undefined,
        refreshMetadataIfNecessary: async () => undefined,
        refreshMetadata: async () => undefined,
        findTopicPartitionMetadata: () => [{ partitionId: 0 }, { partitionId: 1 }],
        findLeaderForPartitions: (_t, partitions) => {
          const out: Record<string, number[]> = {};
          for (const p of partitions) {
            const leader = leaders[p] as string;
            out[leader] = [...(out[leader] ?? []), p];
          }
          return out;
        },
        findBroker: async ({ nodeId }) => brokers[nodeId as '1' | '2'],
        isConnected: () => true,
        connect: async () => undefined,
        removeBroker: () => undefined,
      },
      partitioner: ({ message }) => Number(message.key),
      eosManager: {
        acquireBrokerLock: async () => undefined,
        releaseBrokerLock: async () => undefined,
        isTransactional: () => true,
        addPartitionsToTransaction: async () => undefined,
        getSequence: (_t, p) => sequences.get(p) ?? 0,
        updateSequence: (_t, p, n) => void sequences.set(p, (sequences.get(p) ?? 0) + n),
        getTransactionalId: () => 'tx',
        getProducerId: () => 1,
        getProducerEpoch: () => 0,
      },
      retrier: async (fn) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await fn(
              (e) => {
                throw e;
              },
              attempt,
              0,
            );
          } catch (error) {
            if (attempt >= 3) throw error;
          }
        }
      },
    });
    const results = await send({
      acks: -1,
      timeout: 30_000,
      compression: 0,
      topicMessages: [
        {
          topic: 't',
          messages: [
            { key: '0', value: 'a' },
            { key: '1', value: 'b' },
            { key: '1', value: 'c' },
          ],
        },
      ],
    });
    const sentPartition0 = sent.filter((s) => s.partitions.includes(0));
    expect(sentPartition0).toHaveLength(1);
    // partition 1 went twice to broker 2, both times with sequence 0: a broker that did append the
    // first one recognises the second as its duplicate
    expect(sent.filter((s) => s.partitions.includes(1)).map((s) => s.firstSequence)).toEqual([[0], [0]]);
    expect(sequences.get(0)).toBe(1);
    expect(sequences.get(1)).toBe(2);
    expect(results.map((r) => r.partition).sort()).toEqual([0, 1]);
  });
});
