import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/sinks/runtime/batcher.js';

describe('size-bounded batching', () => {
  it('closes a batch before the item that would push it over the byte limit, per key', () => {
    const out: Array<{ key: string; sizes: number[]; bytes: number }> = [];
    const b = new Batcher<{ bytes: number }>({ maxBatchBytes: 1_000, maxBatchRecords: 100 }, 60_000, (key, items, bytes) =>
      out.push({ key, sizes: items.map((i) => i.bytes), bytes }),
    );
    for (const size of [400, 400, 300, 600]) b.add('a', { bytes: size });
    b.add('b', { bytes: 10 });
    b.flushAll();
    expect(out).toEqual([
      { key: 'a', sizes: [400, 400], bytes: 800 },
      { key: 'a', sizes: [300, 600], bytes: 900 },
      { key: 'b', sizes: [10], bytes: 10 },
    ]);
  });

  it('sends a full batch at once, a record count limit too, and an item larger than the limit alone', () => {
    const out: number[][] = [];
    const b = new Batcher<{ bytes: number }>({ maxBatchBytes: 1_000, maxBatchRecords: 2 }, 60_000, (_k, items) =>
      out.push(items.map((i) => i.bytes)),
    );
    b.add('a', { bytes: 1 });
    b.add('a', { bytes: 1 });
    b.add('a', { bytes: 5_000 });
    b.add('a', { bytes: 1_000 });
    expect(out).toEqual([[1, 1], [5_000], [1_000]]);
  });

  it('sends a partial batch after maxLatencyMs', async () => {
    const out: number[][] = [];
    const b = new Batcher<{ bytes: number }>({ maxBatchBytes: 1_000, maxBatchRecords: 10 }, 50, (_k, items) =>
      out.push(items.map((i) => i.bytes)),
    );
    b.add('a', { bytes: 7 });
    expect(out).toEqual([]);
    await new Promise((r) => setTimeout(r, 120));
    expect(out).toEqual([[7]]);
  });
});
