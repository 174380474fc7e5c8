/**
 * The P² algorithm (Jain & Chlamtac, CACM 1985): one quantile of a stream from five markers,
 * without keeping the observations. O(1) per value and a state small enough for the changelog.
 */
export interface P2State {
  /** marker heights */
  q: number[];
  /** marker positions (1-based counts) */
  n: number[];
  /** desired marker positions */
  d: number[];
  count: number;
}

export class P2Quantile {
  private readonly increments: number[];

  constructor(
    readonly p: number,
    private readonly state: P2State = { q: [], n: [1, 2, 3, 4, 5], d: [1, 1 + 2 * p, 1 + 4 * p, 3 + 2 * p, 5], count: 0 },
  ) {
    this.increments = [0, p / 2, p, (1 + p) / 2, 1];
  }

  get count(): number {
    return this.state.count;
  }

  /** The estimate; before five values, the nearest-rank quantile of those seen (NaN for none). */
  value(): number {
    const { q, count } = this.state;
    if (count >= 5) return q[2] as number;
    if (count === 0) return Number.NaN;
    return q[Math.min(count - 1, Math.max(0, Math.ceil(this.p * count) - 1))] as number;
  }

  add(x: number): void {
    const s = this.state;
    if (s.count < 5) {
      s.q.push(x);
      s.q.sort((a, b) => a - b);
      s.count++;
      return;
    }
    const { q, n, d } = s as { q: number[]; n: number[]; d: number[] };
    let k: number;
    if (x < (q[0] as number)) {
      q[0] = x;
      k = 0;
    } else if (x >= (q[4] as number)) {
      q[4] = x;
      k = 3;
    } else {
      k = 0;
      while (k < 3 && x >= (q[k + 1] as number)) k++;
    }
    for (let i = k + 1; i < 5; i++) n[i] = (n[i] as number) + 1;
    for (let i = 0; i < 5; i++) d[i] = (d[i] as number) + (this.increments[i] as number);
    s.count++;
    for (let i = 1; i <= 3; i++) {
      const off = (d[i] as number) - (n[i] as number);
      const up = (n[i + 1] as number) - (n[i] as number);
      const down = (n[i - 1] as number) - (n[i] as number);
      if ((off >= 1 && up > 1) || (off <= -1 && down < -1)) {
        const step = Math.sign(off);
        const parabolic = this.parabolic(i, step);
        q[i] = (q[i - 1] as number) < parabolic && parabolic < (q[i + 1] as number) ? parabolic : this.linear(i, step);
        n[i] = (n[i] as number) + step;
      }
    }
  }

  toJSON(): P2State {
    return this.state;
  }

  private parabolic(i: number, step: number): number {
    const { q, n } = this.state as { q: number[]; n: number[] };
    const [qa, qi, qb] = [q[i - 1] as number, q[i] as number, q[i + 1] as number];
    const [na, ni, nb] = [n[i - 1] as number, n[i] as number, n[i + 1] as number];
    return qi + (step / (nb - na)) * ((ni - na + step) * ((qb - qi) / (nb - ni)) + (nb - ni - step) * ((qi - qa) / (ni - na)));
  }

  private linear(i: number, step: number): number {
    const { q, n } = this.state as { q: number[]; n: number[] };
    const j = i + step;
    return (q[i] as number) + (step * ((q[j] as number) - (q[i] as number))) / ((n[j] as number) - (n[i] as number));
  }
}
