/** What one PutLogEvents call may hold (CloudWatch Logs API reference, PutLogEvents). */
export const PUT_LOG_EVENTS = {
  /** the sum of (UTF-8 message bytes + 26) over the events of a call */
  maxBatchBytes: 1_048_576,
  maxBatchEvents: 10_000,
  /** counted per event on top of its message */
  eventOverheadBytes: 26,
  /** one event (message bytes + 26); the API reference now says 1 MB, the service quota page 256 KB */
  maxEventBytes: 262_144,
  /** newest minus oldest timestamp of one call */
  maxSpanMs: 24 * 3_600_000,
  /** events older than this (or than the group's retention) are refused */
  maxAgeMs: 14 * 24 * 3_600_000,
  /** events further ahead than this are refused */
  maxFutureMs: 2 * 3_600_000,
} as const;

const DAY_MS = 24 * 3_600_000;

/** The bytes an event counts for in a call's 1 MiB. */
export function eventBytes(message: string): number {
  return Buffer.byteLength(message, 'utf8') + PUT_LOG_EVENTS.eventOverheadBytes;
}

/**
 * The UTC day of a timestamp. Batches never mix days, so a call spans less than 24 hours whatever
 * the events' times (a backfill, late CloudTrail).
 */
export function spanBucket(timestamp: number): number {
  return Math.floor(timestamp / DAY_MS);
}

/** Why CloudWatch would refuse an event with this timestamp now, if it would. */
export function timestampProblem(timestamp: number, now: number): string | undefined {
  if (timestamp < now - PUT_LOG_EVENTS.maxAgeMs)
    return `timestamp ${new Date(timestamp).toISOString()} is more than 14 days old (CloudWatch Logs refuses it)`;
  if (timestamp > now + PUT_LOG_EVENTS.maxFutureMs)
    return `timestamp ${new Date(timestamp).toISOString()} is more than 2 hours in the future (CloudWatch Logs refuses it)`;
  return undefined;
}
