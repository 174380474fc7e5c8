/**
 * How often each destination address was seen in one enricher partition: what tells a large
 * transfer to a new place (exfiltration) from the same volume to a backup target every host uses.
 * Bounded: beyond `max` addresses the least recently seen is forgotten (and is rare again).
 * Changes are recorded for the changelog like the rest of the partition's state.
 */
export class DestinationCounts {
  /** least recently seen first; `seq` orders a restored map the same way */
  private readonly counts = new Map<string, { n: number; seq: number }>();
  private readonly changed = new Set<string>();
  private seq = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.counts.size;
  }

  /** Counts one more event to `destination`; returns how many came before it. */
  see(destination: string): number {
    const entry = this.counts.get(destination) ?? { n: 0, seq: 0 };
    const before = entry.n;
    this.counts.delete(destination);
    this.counts.set(destination, { n: before + 1, seq: ++this.seq });
    this.changed.add(destination);
    while (this.counts.size > this.max) {
      const oldest = this.counts.keys().next().value as string;
      this.counts.delete(oldest);
      this.changed.add(oldest);
    }
    return before;
  }

  /** Changes since the last call as [address, JSON [count, seq]], null for a forgotten address. */
  takeChanges(): Array<[destination: string, stored: string | null]> {
    const out: Array<[string, string | null]> = [];
    for (const key of this.changed) {
      const entry = this.counts.get(key);
      out.push([key, entry ? JSON.stringify([entry.n, entry.seq]) : null]);
    }
    this.changed.clear();
    return out;
  }

  /** The latest stored value of each address, in any order. */
  restore(entries: Array<[destination: string, stored: string]>): void {
    const parsed = entries.map(([key, value]) => {
      const [n, seq] = JSON.parse(value) as [number, number];
      return { key, n, seq };
    });
    parsed.sort((a, b) => a.seq - b.seq);
    for (const { key, n, seq } of parsed) {
      this.counts.set(key, { n, seq });
      this.seq = Math.max(this.seq, seq);
    }
  }
}
