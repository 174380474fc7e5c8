import type { SinkLimits } from '../sink-module.js';

interface OpenBatch<T> {
  items: T[];
  bytes: number;
  timer: NodeJS.Timeout;
}

/**
 * Groups items per key into batches that stay within the destination's byte and record limits;
 * a batch closes when the next item would not fit, when it is full, or `maxLatencyMs` after its
 * first item. An item larger than the byte limit travels alone (the destination decides).
 */
export class Batcher<T extends { bytes: number }> {
  private readonly open = new Map<string, OpenBatch<T>>();

  constructor(
    private readonly limits: SinkLimits,
    private readonly maxLatencyMs: number,
    private readonly emit: (key: string, items: T[], bytes: number) => void,
  ) {}

  add(key: string, item: T): void {
    let batch = this.open.get(key);
    if (batch && (batch.bytes + item.bytes > this.limits.maxBatchBytes || batch.items.length >= this.limits.maxBatchRecords)) {
      this.flush(key);
      batch = undefined;
    }
    if (!batch) {
      batch = { items: [], bytes: 0, timer: setTimeout(() => this.flush(key), this.maxLatencyMs) };
      this.open.set(key, batch);
    }
    batch.items.push(item);
    batch.bytes += item.bytes;
    if (batch.bytes >= this.limits.maxBatchBytes || batch.items.length >= this.limits.maxBatchRecords) this.flush(key);
  }

  flush(key: string): void {
    const batch = this.open.get(key);
    if (!batch) return;
    clearTimeout(batch.timer);
    this.open.delete(key);
    this.emit(key, batch.items, batch.bytes);
  }

  isEmpty(): boolean {
    return this.open.size === 0;
  }

  flushAll(): void {
    for (const key of [...this.open.keys()]) this.flush(key);
  }
}
