import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BATCH_HEADER_BYTES, ByteBudget, chunkBudget, recordBytes, type SizedRecord } from '../../../src/kafka/record-bytes.js';
import { batchLimitOf, KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/kafka/topic-limits.js';
import { rawRecordMessage } from '../../../src/schemas/raw-record.js';
import { mulberry32 } from '../../../src/util/seeded-random.js';
import { encodedBatchBytes } from '../../support/record-batch-v2.js';

// the spec's v2 batch is the oracle: the estimate must never be below what goes on the wire

function randomRecords(count: number, seed: number, maxValue: number): SizedRecord[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => ({
    key: random() < 0.2 ? null : `bucket/${'k'.repeat(Math.floor(random() * 300))}`,
    value: randomBytes(Math.floor(random() * maxValue)),
    headers: Object.fromEntries(
      Array.from({ length: Math.floor(random() * 6) }, (_, h) => [`h${h}-${i}`, 'v'.repeat(Math.floor(random() * 200))]),
    ),
  }));
}

describe('record byte accounting', () => {
  it('never estimates below the v2 batch encoding, and stays within 40 bytes a record of it', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const records = randomRecords(300, seed, 5_000);
      const estimate = BATCH_HEADER_BYTES + records.reduce((n, r) => n + recordBytes(r), 0);
      const actual = encodedBatchBytes(records);
      expect(estimate).toBeGreaterThanOrEqual(actual);
      expect(estimate - actual).toBeLessThan(40 * records.length);
    }
  });

  it('counts a raw record with its key and headers', () => {
    const message = rawRecordMessage({ bucket: 'b', key: 'alb/x.log', etag: 'e', logType: 'alb' }, 12, Buffer.alloc(600));
    const headers = Object.entries(message.headers).reduce((n, [k, v]) => n + k.length + v.length + 10, 0);
    expect(recordBytes(message)).toBe(36 + message.key.length + 600 + headers);
  });

  it('closes a chunk of ~576-byte ALB lines under 1 MiB, where 2,000 records would not fit', async () => {
    const budget = new ByteBudget(KAFKA_DEFAULT_MAX_MESSAGE_BYTES, 600);
    const chunk: SizedRecord[] = [];
    for (let i = 0; i < 2_000; i++) {
      const message = rawRecordMessage({ bucket: 'logs', key: 'alb/a.log.gz', etag: 'e', logType: 'alb' }, i, Buffer.alloc(576, 'a'));
      const bytes = recordBytes(message);
      if (!budget.fits(bytes)) break;
      budget.add(bytes);
      chunk.push(message);
    }
    expect(chunk.length).toBeGreaterThan(1_000);
    expect(chunk.length).toBeLessThan(2_000);
    expect(encodedBatchBytes(chunk)).toBeLessThanOrEqual(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  });

  it('keeps a gzip batch of incompressible bytes under the limit when its estimate fits the budget', async () => {
    const limit = 262_144;
    const records: SizedRecord[] = [];
    let used = 0;
    for (;;) {
      const record = { key: 'k', value: randomBytes(7_000) };
      if (used + recordBytes(record) > chunkBudget(limit)) break;
      used += recordBytes(record);
      records.push(record);
    }
    expect(encodedBatchBytes(records, 'gzip')).toBeLessThanOrEqual(limit);
    expect(encodedBatchBytes(records)).toBeLessThanOrEqual(limit);
  });

  it('refuses a record that fits no chunk, keeps the reserve free, and starts over after reset', () => {
    const budget = new ByteBudget(100_000, 1_000);
    expect(budget.capacity).toBe(chunkBudget(100_000) - 1_000);
    expect(budget.fitsAlone(budget.capacity)).toBe(true);
    expect(budget.fitsAlone(budget.capacity + 1)).toBe(false);
    budget.add(budget.capacity - 10);
    expect(budget.fits(10)).toBe(true);
    expect(budget.fits(11)).toBe(false);
    budget.reset();
    expect(budget.fits(11)).toBe(true);
    expect(() => new ByteBudget(500, 1_000)).toThrow(RangeError);
  });
});

describe('topic batch limits', () => {
  const entry = (configName: string, configValue: string | null) => ({ configName, configValue });
  it("takes the topic's max.message.bytes, else the broker's message.max.bytes, else Kafka's default", () => {
    expect(batchLimitOf([entry('max.message.bytes', '262144')], [entry('message.max.bytes', '5000000')])).toBe(262_144);
    expect(batchLimitOf(undefined, [entry('message.max.bytes', '5000000')])).toBe(5_000_000);
    expect(batchLimitOf([entry('max.message.bytes', null)], [entry('message.max.bytes', '2000000')])).toBe(2_000_000);
    expect(batchLimitOf(undefined, undefined)).toBe(1_048_588);
    expect(batchLimitOf([entry('max.message.bytes', 'garbage')], undefined)).toBe(1_048_588);
  });
});
