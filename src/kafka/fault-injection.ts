/**
 * Crash points for exactly-once tests, in the manner of Kafka's own system tests: with
 * SIEM_STREAM_FAULT=crash-before-commit:3 the process SIGKILLs itself when it reaches the
 * third transaction commit, after its records and offsets were sent and before the commit.
 * Unset in production; reading the variable once keeps the hot path to one comparison.
 */
export type FaultPoint = 'crash-before-commit';

const [faultName, faultAfter] = (process.env.SIEM_STREAM_FAULT ?? '').split(':');
const threshold = Number(faultAfter ?? 0);
let reached = 0;

export function faultPoint(point: FaultPoint): void {
  if (faultName !== point) return;
  reached++;
  if (reached >= threshold) process.kill(process.pid, 'SIGKILL');
}
