import { describe, expect, it } from 'vitest';
import { TumblingWindowCounter } from '../../../src/stages/enricher/tumbling-window-counter.js';

describe('tumbling window counter', () => {
  it('counts per entity per event-time window, out-of-order events included', () => {
    const w = new TumblingWindowCounter(60_000);
    expect(w.add('a', 1_000)).toEqual({ windowStart: 0, count: 1 });
    expect(w.add('b', 2_000)).toEqual({ windowStart: 0, count: 1 });
    expect(w.add('a', 61_000)).toEqual({ windowStart: 60_000, count: 1 });
    expect(w.add('a', 59_000)).toEqual({ windowStart: 0, count: 2 });
    expect(w.add('a', 60_000)).toEqual({ windowStart: 60_000, count: 2 });
  });

  it('expires windows behind the newest event time and caps the state it keeps', () => {
    const w = new TumblingWindowCounter(1_000, 3, 1);
    w.add('a', 0);
    w.add('a', 5_000);
    expect(w.size).toBe(1);
    w.add('b', 5_000);
    w.add('c', 5_000);
    w.add('d', 5_000);
    expect(w.size).toBe(3);
    expect(w.evicted).toBe(1);
    expect(w.add('a', 5_100)).toEqual({ windowStart: 5_000, count: 1 });
  });
});
