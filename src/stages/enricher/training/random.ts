import { mulberry32 } from '../../../util/seeded-random.js';

/** A seeded PRNG (mulberry32): the same seed gives the same traffic on every machine. */
export class Random {
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = mulberry32(seed);
  }

  next(): number {
    return this.draw();
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** log-normal around `median` */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  /** index in [0, n) with Zipf-like weights 1/(i+1) */
  zipf(n: number): number {
    let total = zipfTotals.get(n);
    if (total === undefined) {
      total = Array.from({ length: n }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);
      zipfTotals.set(n, total);
    }
    let r = this.next() * total;
    for (let i = 0; i < n; i++) {
      r -= 1 / (i + 1);
      if (r <= 0) return i;
    }
    return n - 1;
  }
}

const zipfTotals = new Map<number, number>();
