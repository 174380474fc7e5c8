import { describe, expect, it } from 'vitest';
import { duplicates } from '../../../bench/e2e-accepted.js';
import { keptUp } from '../../../bench/e2e-latency.js';
import { vmHwmBytes, watchPeakRss } from '../../../bench/process-memory.js';
import { percentile, steadyRate } from '../../../bench/stats.js';

describe('nearest-rank percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the value at rank ceil(p/100 · n)', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
  });

  it('is the extreme value at 0 and 100, and NaN for no values', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('steady rate', () => {
  it('counts the events between the 10% and 90% arrivals over the time between them', () => {
    // 1,001 events, one per ms after a 5 s start-up and before a 9 s tail
    const times = [0, ...Array.from({ length: 999 }, (_, i) => 5_000 + i), 20_000];
    const rate = steadyRate(times);
    expect(rate.fromMs).toBe(5_099);
    expect(rate.toMs).toBe(5_899);
    expect(rate.perSecond).toBe(1_000);
  });

  it('is infinite when every measured event arrived at once, NaN with fewer than two', () => {
    expect(steadyRate([5, 5, 5, 5]).perSecond).toBe(Number.POSITIVE_INFINITY);
    expect(steadyRate([5]).perSecond).toBeNaN();
  });
});

describe('bench helpers over accepted records and /proc', () => {
  it('counts a record accepted again (same object, same record number) as a duplicate', () => {
    const r = (key: string, recordNumber: number) => ({ key, recordNumber, receivedAtMs: 0 });
    expect(duplicates([r('a', 1), r('a', 2), r('b', 1)])).toBe(0);
    expect(duplicates([r('a', 1), r('a', 1), r('a', 1), r('b', 1)])).toBe(2);
  });

  it('reads VmHWM in bytes from /proc/<pid>/status text', () => {
    expect(vmHwmBytes('Name:\tnode\nVmPeak:\t 1200 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 100 kB\n')).toBe(209_715_200);
    expect(vmHwmBytes('Name:\tkthreadd\n')).toBeUndefined();
  });

  it('is kept per watched process, and a process that is gone keeps its last reading', () => {
    const rss = watchPeakRss(10_000);
    rss.watch('self', process.pid);
    rss.watch('gone', 2 ** 22 + 1); // above Linux's pid_max: never a process
    const peaks = rss.stop();
    expect(peaks.self).toBeGreaterThan(1_048_576);
    expect(peaks).not.toHaveProperty('gone');
    expect(() => rss.watch('unstarted', undefined)).toThrow(/did not start/);
  });
});

describe('whether the pipeline kept up in the latency phase', () => {
  const run = {
    offeredEventsPerSecond: 2_000,
    deliveredEventsPerSecond: 1_950,
    p50FirstTenthOfObjects: 1_200,
    p50LastTenthOfObjects: 1_050,
  };

  it('did when it delivered nearly the offered rate and the last objects waited no longer than the first', () => {
    expect(keptUp(run)).toBe(true);
  });

  it('did not when it delivered under 90% of the offered rate', () => {
    expect(keptUp({ ...run, deliveredEventsPerSecond: 1_790 })).toBe(false);
  });

  it('did not when the latency grew over the phase (a queue building up)', () => {
    expect(keptUp({ ...run, p50LastTenthOfObjects: 2_401 })).toBe(false);
  });
});
