import { describe, expect, it } from 'vitest';
import { classifyKafkaError } from '../../../src/kafka/kafka-errors.js';
import { commitTransaction, type OpenTransaction, type TransactionalProducer } from '../../../src/kafka/transaction.js';

function producerWith(transaction: Partial<OpenTransaction>, calls: string[]): TransactionalProducer {
  return {
    classify: classifyKafkaError,
    begin: async () => ({
      write: async () => undefined,
      delivered: async () => undefined,
      sendOffsets: async () => undefined,
      commit: async () => {
        calls.push('commit');
      },
      abort: async () => {
        calls.push('abort');
      },
      ...transaction,
    }),
  };
}

const content = {
  records: [{ topic: 'out', key: 'k', value: 'v' }],
  consumed: { groupId: 'g', topic: 'in', partition: 0, nextOffset: '1' },
};

describe('commitTransaction', () => {
  it('aborts and throws the classified error when the records fail to deliver before the commit', async () => {
    const calls: string[] = [];
    const producer = producerWith(
      {
        delivered: async () => {
          throw Object.assign(new Error('Local: Message timed out'), { code: -192 });
        },
      },
      calls,
    );
    await expect(commitTransaction(producer, content, { stage: 'test' })).rejects.toMatchObject({
      code: 'KAFKA_TRANSIENT',
      message: expect.stringMatching(/timed out/),
    });
    expect(calls).toEqual(['abort']);
  });

  it('reports a transaction that hung until the coordinator timed it out as fenced when even its abort is refused', async () => {
    const fenced = Object.assign(new Error('Failed to end transaction: Local: This instance has been fenced by a newer instance'), {
      code: -144,
      fatal: true,
    });
    const producer = producerWith(
      {
        sendOffsets: async () => {
          throw Object.assign(new Error('Failed to add offsets to transaction: Local: Timed out'), { code: -185 });
        },
        abort: async () => {
          throw fenced;
        },
      },
      [],
    );
    await expect(commitTransaction(producer, content, { stage: 'test' })).rejects.toMatchObject({
      code: 'KAFKA_FENCED',
      retriable: false,
      cause: fenced,
    });
  });
});
