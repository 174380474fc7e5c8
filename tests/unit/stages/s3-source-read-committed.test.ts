import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { filterAbortedMessages } from '../../../src/kafka/kafkajs-read-committed-fix.js';

const record = (offset: number, producerId: string, inTransaction = true) => ({
  offset: String(offset),
  key: Buffer.from(`k${offset}`),
  batchContext: { producerId, inTransaction },
});
const abortMarker = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  isControlRecord: true,
  batchContext: { producerId, inTransaction: true },
});

// two source producers write one partition; W began first, L was aborted first (the broker lists L first)
const messages = [
  record(100, 'W'),
  record(101, 'C'),
  record(150, 'L'),
  abortMarker(160, 'L'),
  record(165, 'C'),
  abortMarker(170, 'W'),
  record(180, 'W'),
];
const abortedTransactions = [
  { producerId: 'L', firstOffset: '150' },
  { producerId: 'W', firstOffset: '100' },
];
const kept = (list: Array<{ offset: string; key: Buffer | null }>) =>
  list.filter((m) => !(m.key && Buffer.from(m.key).equals(Buffer.from([0, 0, 0, 0])))).map((m) => Number(m.offset));

describe('read_committed filtering of aborted transactions (the S3 source regression)', () => {
  it('drops every aborted record even when the broker lists aborted transactions out of first-offset order', () => {
    expect(kept(filterAbortedMessages({ messages, abortedTransactions }))).toEqual([101, 165, 180]);
  });

  it('is what kafkajs uses once the fix is loaded (kafkajs 2.2.4 alone keeps the aborted record at offset 100)', () => {
    const require = createRequire(import.meta.url);
    const installed = require('kafkajs/src/consumer/filterAbortedMessages.js') as typeof filterAbortedMessages;
    expect(kept(installed({ messages, abortedTransactions }))).toEqual([101, 165, 180]);
  });
});
