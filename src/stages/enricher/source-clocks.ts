/**
 * Event time per source within one input partition. A partition mixes log types that AWS delivers
 * on their own schedules (VPC Flow minutes before CloudTrail, a backfill of one prefix while
 * another is live), so one watermark per partition would make almost everything late. Each log
 * type keeps its own stream time (its newest event time) and watermark (stream time − its grace);
 * window state is kept until no active source can still use it.
 */
export interface SourceClockPolicy {
  graceOf(logType: string): number;
  /** how long a window closed for its source keeps its state (late events are still counted in it) */
  allowedLatenessMs: number;
  /** a source this far behind the newest one no longer holds window state for everybody */
  idleSourceMs: number;
}

export class SourceClocks {
  private retention: number | undefined;

  constructor(
    private readonly policy: SourceClockPolicy,
    /** stream time per log type, as stored in the changelog */
    readonly streamTimes: Record<string, number> = {},
  ) {}

  /** Advances the event's source and returns that source's watermark. */
  observe(logType: string, eventTime: number): number {
    const before = Object.hasOwn(this.streamTimes, logType) ? this.streamTimes[logType] : undefined;
    if (before === undefined || eventTime > before) {
      this.streamTimes[logType] = eventTime;
      this.retention = undefined;
    }
    return this.watermarkOf(logType);
  }

  watermarkOf(logType: string): number {
    const streamTime = Object.hasOwn(this.streamTimes, logType) ? this.streamTimes[logType] : undefined;
    return streamTime === undefined ? Number.MIN_SAFE_INTEGER : streamTime - this.policy.graceOf(logType);
  }

  /** Window state ending at or before this is needed by no active source, late or not. */
  retentionWatermark(): number {
    if (this.retention !== undefined) return this.retention;
    const entries = Object.entries(this.streamTimes);
    if (entries.length === 0) return Number.MIN_SAFE_INTEGER;
    const newest = Math.max(...entries.map(([, t]) => t));
    let lowest = Number.POSITIVE_INFINITY;
    for (const [logType, t] of entries) {
      if (t < newest - this.policy.idleSourceMs) continue;
      lowest = Math.min(lowest, t - this.policy.graceOf(logType));
    }
    this.retention = lowest - this.policy.allowedLatenessMs;
    return this.retention;
  }
}
