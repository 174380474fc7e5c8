import { describe, expect, it } from 'vitest';
import { P2Quantile } from '../../../src/stages/enricher/p2-quantile.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1] as number;
}

describe('P² quantile', () => {
  it.each([0.5, 0.9, 0.99, 0.998])('tracks the %s quantile of a skewed stream within 2% of its rank', (p) => {
    const random = seeded(42);
    const values = Array.from({ length: 50_000 }, () => -Math.log(1 - random()) * 0.1 + 0.3); // exponential tail
    const estimator = new P2Quantile(p);
    for (const v of values) estimator.add(v);
    const estimate = estimator.value();
    const rank = values.filter((v) => v <= estimate).length / values.length;
    expect(Math.abs(rank - p)).toBeLessThan(0.02 * (1 - p) + 0.002);
    expect(estimate).toBeCloseTo(exact(values, p), 1);
  });

  it('answers before five values with the nearest rank, and resumes from its stored state', () => {
    const estimator = new P2Quantile(0.9);
    expect(estimator.value()).toBeNaN();
    for (const v of [5, 1, 3]) estimator.add(v);
    expect(estimator.value()).toBe(5);
    const random = seeded(7);
    for (let i = 0; i < 1_000; i++) estimator.add(random());
    const resumed = new P2Quantile(0.9, JSON.parse(JSON.stringify(estimator)));
    for (let i = 0; i < 1_000; i++) {
      const v = random();
      estimator.add(v);
      resumed.add(v);
    }
    expect(resumed.value()).toBe(estimator.value());
    expect(resumed.count).toBe(2_003);
  });
});
