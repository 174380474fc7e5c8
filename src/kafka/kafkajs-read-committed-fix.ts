import { createRequire } from 'node:module';
import './kafkajs-produce-retry-fix.js';

/**
 * kafkajs 2.2.4 filters aborted transactions assuming the fetch response lists them in order of
 * their first offset, and activates at most one per record. The broker lists them in the order
 * their abort markers were written. When several producers write one partition (the S3 source's
 * per-work-partition producers, its lister) and a crash aborts transactions that began in one order
 * and were aborted in another, kafkajs hands aborted records to read_committed consumers. Kafka's
 * Java client keeps the aborted transactions in a priority queue by first offset and activates every
 * one that has started; this replaces kafkajs's filter with that logic. It must run before kafkajs's
 * consumer code is loaded: every module that imports kafkajs as a value imports this first.
 */
interface AbortedTransaction {
  firstOffset: string;
  producerId: string;
}

interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

export function filterAbortedMessages({
  messages,
  abortedTransactions,
}: {
  messages: FetchedMessage[];
  abortedTransactions?: AbortedTransaction[];
}): FetchedMessage[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => compare(a.firstOffset, b.firstOffset));
  const aborted = new Set<string>();
  return messages.filter((message) => {
    while (pending.length > 0 && compare(message.offset, (pending[0] as AbortedTransaction).firstOffset) >= 0) {
      aborted.add(String((pending.shift() as AbortedTransaction).producerId));
    }
    const producerId = String(message.batchContext.producerId);
    if (message.key && Buffer.from(message.key).equals(ABORT_MARKER_KEY) && message.isControlRecord !== false) {
      aborted.delete(producerId);
      return true; // control records are dropped by kafkajs after this filter
    }
    return !(aborted.has(producerId) && message.batchContext.inTransaction);
  });
}

function compare(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const PATCHED = Symbol.for('siem-stream.kafkajs-read-committed-fix');
const require = createRequire(import.meta.url);
const filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
require(filterPath);
const cached = require.cache[filterPath];
// test runners evaluate this module again in a process whose CommonJS cache already holds the fix
const alreadyFixed = (cached?.exports as Record<symbol, unknown> | undefined)?.[PATCHED] === true;
if (!alreadyFixed) {
  if (require.cache[require.resolve('kafkajs/src/consumer/batch.js')]) {
    throw new Error('kafkajs was loaded before src/kafka/kafkajs-read-committed-fix.ts; import the fix first');
  }
  if (cached) cached.exports = Object.assign(filterAbortedMessages, { [PATCHED]: true });
}
