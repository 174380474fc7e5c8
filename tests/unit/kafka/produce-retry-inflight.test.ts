import { describe, expect, it } from 'vitest';
import { createSendMessages } from '../../../src/kafka/kafkajs-produce-retry-fix.js';

/**
 * The duplicate the chaos harness still finds (docs/reliability.md, "Which mechanism wrote the
 * open duplicates"): one transactional send spans two brokers. Broker 3's produce is still waiting
 * for acks=all when the other broker's part fails with a retriable error (here AddPartitionsToTxn
 * answered CONCURRENT_TRANSACTIONS, as the coordinator does while it is still writing the first
 * AddPartitionsToTxn). Promise.all rejects without waiting for broker 3, the retry sees broker 3's
 * partition as not acknowledged, queues behind broker 3's lock, and once the first produce is
 * acknowledged sends the partition again with the next sequence number: the broker appends it a
 * second time in the same transaction. The fix waits for every broker's request of an attempt to
 * settle before it retries.
 */
describe('kafkajs produce retry fix, a sibling broker failing while an acknowledgement is in flight', () => {
  it('sends a partition once even if another broker fails while its produce is in flight', async () => {
    const leaders: Record<number, string> = { 1: '3', 0: '2' };
    const sent: Array<{ broker: string; partitions: number[]; firstSequence: number[] }> = [];
    const sequences = new Map<number, number>();
    const locks = new Map<string, Promise<void>>();
    const release = new Map<string, () => void>();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let addCalls = 0;
    const broker = (id: string) => ({
      nodeId: id,
      produce: async ({
        topicData,
      }: {
        topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number }> }>;
      }) => {
        const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
        sent.push({ broker: id, partitions, firstSequence: topicData.flatMap((t) => t.partitions.map((p) => p.firstSequence)) });
        if (id === '3') await sleep(50); // acks=all on a cluster where a broker is catching up
        return { topics: [{ topicName: 't', partitions: partitions.map((partition) => ({ partition, errorCode: 0, baseOffset: '0' })) }] };
      },
    });
    const brokers = { '2': broker('2'), '3': broker('3') };
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
        findBroker: async ({ nodeId }) => brokers[nodeId as '2' | '3'],
        isConnected: () => true,
        connect: async () => undefined,
        removeBroker: () => undefined,
      },
      partitioner: ({ message }) => Number(message.key),
      eosManager: {
        // kafkajs's per-broker mutex: one request in flight per broker
        acquireBrokerLock: async (b) => {
          const id = (b as unknown as { nodeId: string }).nodeId;
          while (locks.has(id)) await locks.get(id);
          locks.set(id, new Promise<void>((r) => release.set(id, r)));
        },
        releaseBrokerLock: async (b) => {
          const id = (b as unknown as { nodeId: string }).nodeId;
          locks.delete(id);
          release.get(id)?.();
        },
        isTransactional: () => true,
        addPartitionsToTransaction: async (topicData) => {
          addCalls++;
          const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
          if (partitions.includes(0) && addCalls <= 2) {
            await sleep(5);
            throw Object.assign(
              new Error(
                'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
              ),
              {
                name: 'KafkaJSProtocolError',
                type: 'CONCURRENT_TRANSACTIONS',
                retriable: true,
              },
            );
          }
        },
        getSequence: (_t, p) => sequences.get(p) ?? 0,
        updateSequence: (_t, p, n) => void sequences.set(p, (sequences.get(p) ?? 0) + n),
        getTransactionalId: () => 'tx',
        getProducerId: () => 1012,
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
            await sleep(10); // kafkajs waits initialRetryTime (300 ms) and more here
          }
        }
      },
    });
    await send({
      acks: -1,
      timeout: 30_000,
      compression: 0,
      topicMessages: [
        {
          topic: 't',
          messages: [
            { key: '1', value: 'a' },
            { key: '1', value: 'b' },
            { key: '0', value: 'c' },
          ],
        },
      ],
    });
    // partition 1 (broker 3) sent once; before the fix it went twice, the second time with
    // firstSequence 2 (the chaos run's normalized-1: baseSequence 540, then 780)
    expect(sent.filter((s) => s.partitions.includes(1)).map((s) => s.firstSequence)).toEqual([[0]]);
  });
});
