/**
 * The evaluation corpus's own seeded randomness (sfc32 seeded through splitmix32), written apart
 * from the training generator's so the two share no code and no stream of numbers.
 */
export class Prng {
  /** sfc32's a, b, c, d; a typed array keeps them unboxed (class fields above 2^30 would be heap numbers) */
  private readonly s = new Uint32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const s = this.s;
    const t = ((((s[0] as number) + (s[1] as number)) | 0) + (s[3] as number)) | 0;
    s[3] = (s[3] as number) + 1;
    s[0] = (s[1] as number) ^ ((s[1] as number) >>> 9);
    s[1] = (s[2] as number) + ((s[2] as number) << 3);
    const c = s[2] as number;
    s[2] = ((c << 21) | (c >>> 11)) + t;
    return t >>> 0;
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.uint32() / 4_294_967_296;
  }

  /** integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** standard normal (Box–Muller) */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** log-normal with the given median and shape σ */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** log-uniform in [min, max]: attack intensities spread over orders of magnitude */
  logUniform(min: number, max: number): number {
    return Math.exp(Math.log(min) + this.float() * (Math.log(max) - Math.log(min)));
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** an RFC 4122 version-4 shaped id, as CloudTrail's eventID */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/**
 * Draws indexes 0..n-1 with probability ∝ 1/(rank+1)^s (Zipf): a few entities are busy, most
 * are quiet — the shape of activity per host and per user in real logs.
 */
export class Zipf {
  private readonly cumulative: Float64Array;

  constructor(
    readonly n: number,
    s: number,
  ) {
    this.cumulative = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += 1 / (i + 1) ** s;
      this.cumulative[i] = sum;
    }
    for (let i = 0; i < n; i++) this.cumulative[i] = (this.cumulative[i] as number) / sum;
  }

  draw(random: Prng): number {
    const u = random.float();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
