/**
 * The offsets of one partition in consumption order; the commit point is the first offset not yet
 * acknowledged, so concurrent batches finishing out of order never commit past a failure.
 */
export class PartitionProgress {
  private readonly offsets: bigint[] = [];
  private readonly acked = new Set<bigint>();
  private head = 0;
  private next: bigint | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** the offset after the last one tracked, or undefined before the first */
  get end(): bigint | undefined {
    return this.next;
  }

  get pending(): number {
    return this.offsets.length - this.head;
  }

  track(offset: bigint): void {
    this.offsets.push(offset);
    this.next = offset + 1n;
  }

  ack(offset: bigint): void {
    this.acked.add(offset);
    while (this.head < this.offsets.length && this.acked.has(this.offsets[this.head] as bigint)) {
      this.acked.delete(this.offsets[this.head] as bigint);
      this.head++;
    }
    if (this.head > 4_096 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
  }

  /** the offset to commit: every record below it was acknowledged */
  commitPoint(): bigint | undefined {
    return this.head < this.offsets.length ? this.offsets[this.head] : this.next;
  }
}

export interface CommitPoint {
  topic: string;
  partition: number;
  offset: string;
}

/** Every partition's progress; hands out only commit points that moved since the last commit. */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionProgress>();
  private readonly committed = new Map<string, bigint>();

  /**
   * The progress object for a partition. A record below what was already tracked means the
   * partition was re-assigned and rewound to its committed offset: its old progress is dropped,
   * and acknowledgements of in-flight records from before land on the old object harmlessly.
   */
  progressFor(topic: string, partition: number, firstOffset: bigint): PartitionProgress {
    const key = `${topic}\u0000${partition}`;
    let progress = this.partitions.get(key);
    if (!progress || (progress.end !== undefined && firstOffset < progress.end)) {
      progress = new PartitionProgress(topic, partition);
      this.partitions.set(key, progress);
      this.committed.delete(key);
    }
    return progress;
  }

  /**
   * Forgets partitions this member is giving up (a revoke), so it never commits for another
   * member's partition; acknowledgements of their records still in flight land on the dropped
   * progress objects and change nothing.
   */
  drop(partitions: Array<{ topic: string; partition: number }>): void {
    for (const { topic, partition } of partitions) {
      const key = `${topic}\u0000${partition}`;
      this.partitions.delete(key);
      this.committed.delete(key);
    }
  }

  pendingRecords(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.pending;
    return n;
  }

  /** Commit points that moved since the last commit, of every partition or of `only` those. */
  uncommitted(only?: Array<{ topic: string; partition: number }>): CommitPoint[] {
    const wanted = only && new Set(only.map(({ topic, partition }) => `${topic}\u0000${partition}`));
    const points: CommitPoint[] = [];
    for (const [key, progress] of this.partitions) {
      if (wanted && !wanted.has(key)) continue;
      const point = progress.commitPoint();
      if (point === undefined || this.committed.get(key) === point) continue;
      points.push({ topic: progress.topic, partition: progress.partition, offset: point.toString() });
    }
    return points;
  }

  markCommitted(points: CommitPoint[]): void {
    for (const p of points) this.committed.set(`${p.topic}\u0000${p.partition}`, BigInt(p.offset));
  }
}
