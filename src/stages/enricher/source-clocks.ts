import { logTypeOfStream } from '../../schemas/source-stream.js';

/**
 * Event time per source within one input partition. A partition mixes log types that AWS delivers
 * on their own schedules (VPC Flow minutes before CloudTrail, a backfill of one prefix while
 * another is live), so one watermark per partition would make almost everything late. Each source
 * stream (source-stream.ts) keeps its own stream time (its newest event time) and watermark
 * (stream time − its log type's grace); window state is kept until no active stream can still use it.
 */
export interface SourceClockPolicy {
  graceOf(logType: string): number;
  /** how long a window closed for its source keeps its state (late events are still counted in it) */
  allowedLatenessMs: number;
  /** a source this far behind the newest one no longer holds window state for everybody */
  idleSourceMs: number;
}

export class SourceClocks {
  private readonly times = new Map<string, number>();
  private newest = Number.MIN_SAFE_INTEGER;
  private retention: number | undefined;

  /** `stored`: stream time per source stream, as kept in the changelog */
  constructor(
    private readonly policy: SourceClockPolicy,
    stored: Record<string, number> = {},
  ) {
    for (const [stream, t] of Object.entries(stored)) this.advance(stream, t);
  }

  /** Advances the event's source stream and returns that stream's watermark. */
  observe(stream: string, eventTime: number): number {
    this.advance(stream, eventTime);
    return this.watermarkOf(stream);
  }

  watermarkOf(stream: string): number {
    const streamTime = this.times.get(stream);
    return streamTime === undefined ? Number.MIN_SAFE_INTEGER : streamTime - this.graceOf(stream);
  }

  /** Window state ending at or before this is needed by no active source stream, late or not. */
  retentionWatermark(): number {
    if (this.retention !== undefined) return this.retention;
    let lowest = Number.POSITIVE_INFINITY;
    for (const [stream, t] of this.times) lowest = Math.min(lowest, t - this.graceOf(stream));
    this.retention = lowest === Number.POSITIVE_INFINITY ? Number.MIN_SAFE_INTEGER : lowest - this.policy.allowedLatenessMs;
    return this.retention;
  }

  /** The streams' times for the changelog: only active streams are kept (an idle one starts afresh). */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.times);
  }

  private advance(stream: string, eventTime: number): void {
    const before = this.times.get(stream);
    if (before !== undefined && eventTime <= before) return;
    this.times.set(stream, eventTime);
    this.retention = undefined;
    if (eventTime > this.newest) {
      this.newest = eventTime;
      // streams this far behind the newest are idle: they no longer hold state for the others
      for (const [other, t] of this.times) if (t < eventTime - this.policy.idleSourceMs) this.times.delete(other);
    }
  }

  private graceOf(stream: string): number {
    return this.policy.graceOf(logTypeOfStream(stream));
  }
}
