/**
 * Fault points for exactly-once tests, in the manner of Kafka's own system tests:
 * - SIEM_STREAM_FAULT=crash-before-commit:3 — the process SIGKILLs itself when it reaches the third
 *   transaction commit, after its records and offsets were sent and before the commit;
 * - SIEM_STREAM_FAULT=stop-before-commit:3 — it SIGSTOPs itself there instead, so a test can hold it
 *   past its session timeout and SIGCONT it later: a zombie with an open transaction;
 * - SIEM_STREAM_FAULT=crash-before-object-action:1 / crash-after-object-action:1 — the S3 source
 *   SIGKILLs itself after an object's last transaction committed and before its after-ingest
 *   action (tag, move, delete), or after the action and before the transaction that records it.
 * Unset in production; reading the variable once keeps the hot path to one comparison.
 */
export type FaultPoint = 'before-commit' | 'before-object-action' | 'after-object-action';

const [faultName, faultAfter] = (process.env.SIEM_STREAM_FAULT ?? '').split(':');
const threshold = Number(faultAfter ?? 0);
const ACTIONS: Record<string, NodeJS.Signals> = { crash: 'SIGKILL', stop: 'SIGSTOP' };
let reached = 0;
let fired = false;

export function faultPoint(point: FaultPoint): void {
  if (fired || faultName === undefined || !faultName.endsWith(`-${point}`)) return;
  const signal = ACTIONS[faultName.slice(0, -point.length - 1)];
  if (!signal) return;
  reached++;
  if (reached >= threshold) {
    // a stopped process resumes here after SIGCONT and must then carry on as the zombie it is
    fired = true;
    process.kill(process.pid, signal);
  }
}
