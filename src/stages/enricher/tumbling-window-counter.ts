/**
 * Event-time tumbling-window counts per entity. Memory is bounded: windows older than the
 * newest event time minus `retainWindows` windows are dropped, and at most `maxWindows`
 * (entity, window) pairs are kept (oldest evicted first).
 */
export class TumblingWindowCounter {
  private readonly counts = new Map<string, number>();
  private maxEventTime = 0;
  evicted = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxWindows = 100_000,
    private readonly retainWindows = 2,
  ) {}

  windowStart(eventTime: number): number {
    return Math.floor(eventTime / this.windowMs) * this.windowMs;
  }

  /** Counts the event in its window and returns the window's count including it. */
  add(entity: string, eventTime: number): { windowStart: number; count: number } {
    const windowStart = this.windowStart(eventTime);
    const key = `${windowStart}|${entity}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.delete(key);
    this.counts.set(key, count);
    if (eventTime > this.maxEventTime) {
      this.maxEventTime = eventTime;
      this.expire();
    }
    while (this.counts.size > this.maxWindows) this.evictOldest();
    return { windowStart, count };
  }

  get size(): number {
    return this.counts.size;
  }

  private expire(): void {
    const horizon = this.windowStart(this.maxEventTime) - this.retainWindows * this.windowMs;
    for (const key of this.counts.keys()) {
      if (Number(key.slice(0, key.indexOf('|'))) < horizon) this.counts.delete(key);
    }
  }

  private evictOldest(): void {
    const oldest = this.counts.keys().next();
    if (oldest.done) return;
    this.counts.delete(oldest.value);
    this.evicted++;
  }
}
