import { describe, expect, it } from 'vitest';
import type { Consumer, Producer } from '../../../src/kafka/client.js';
import { commitTransaction, rdkafkaTransactions } from '../../../src/kafka/transaction.js';

/** A transaction whose records fail to deliver after `failAfterMs`, while the offsets take `offsetsMs`. */
function producerWhoseSendFails(failAfterMs: number, offsetsMs: number, calls: string[]): Producer {
  const transaction = {
    sendBatch: () =>
      new Promise((_, reject) =>
        setTimeout(() => reject(Object.assign(new Error('Local: Message timed out'), { code: -192 })), failAfterMs),
      ),
    sendOffsets: () => new Promise((resolve) => setTimeout(resolve, offsetsMs)),
    commit: async () => {
      calls.push('commit');
    },
    abort: async () => {
      calls.push('abort');
    },
  };
  return { transaction: async () => transaction } as unknown as Producer;
}

describe('transactions overlap delivery with the offsets', () => {
  it('fails the commit, aborts, and leaves no unhandled rejection when a record fails before the commit', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const calls: string[] = [];
    try {
      const producer = rdkafkaTransactions(producerWhoseSendFails(5, 40, calls), {} as Consumer);
      const content = {
        records: [{ topic: 'out', key: 'k', value: 'v' }],
        consumed: { groupId: 'g', topic: 'in', partition: 0, nextOffset: '1' },
      };
      await expect(commitTransaction(producer, content, { stage: 'test' })).rejects.toThrow(/timed out/);
      await new Promise((r) => setTimeout(r, 20)); // let Node report an unhandled rejection, if there were one
      expect(unhandled).toEqual([]);
      expect(calls).toEqual(['abort']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('a transaction that hung until the coordinator timed it out', () => {
  it('is reported as fenced, not as an unknown fatal error, when even its abort is refused', async () => {
    const fenced = Object.assign(new Error('Failed to end transaction: Local: This instance has been fenced by a newer instance'), {
      code: -144,
      fatal: true,
    });
    const transaction = {
      sendBatch: async () => undefined,
      sendOffsets: async () => {
        throw Object.assign(new Error('Failed to add offsets to transaction: Local: Timed out'), { code: -185 });
      },
      commit: async () => undefined,
      abort: async () => {
        throw fenced;
      },
    };
    const producer = rdkafkaTransactions({ transaction: async () => transaction } as unknown as Producer, {} as Consumer);
    const content = {
      records: [{ topic: 'out', key: 'k', value: 'v' }],
      consumed: { groupId: 'g', topic: 'in', partition: 0, nextOffset: '1' },
    };
    await expect(commitTransaction(producer, content, { stage: 'test' })).rejects.toMatchObject({
      code: 'KAFKA_FENCED',
      retriable: false,
      cause: fenced,
    });
  });
});
