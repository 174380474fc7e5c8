/** Small statistics the benches share: nearest-rank percentiles and a steady-state rate. */

/** Nearest-rank percentile (p in 0..100) of ascending values; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface SteadyRate {
  /** events per second between the `from` and `to` shares of the events */
  perSecond: number;
  /** the window the rate was measured over, in ms of the same clock as the times */
  fromMs: number;
  toMs: number;
}

/**
 * Events per second between the moment the `from` share of the events had arrived and the moment
 * the `to` share had: start-up (joins, first polls) and the tail (the last half-full batches) are
 * left out. `times` are the arrival times in ms, ascending, one per event.
 */
export function steadyRate(times: readonly number[], from = 0.1, to = 0.9): SteadyRate {
  if (times.length < 2) return { perSecond: Number.NaN, fromMs: Number.NaN, toMs: Number.NaN };
  const first = Math.floor(from * (times.length - 1));
  const last = Math.ceil(to * (times.length - 1));
  const fromMs = times[first] as number;
  const toMs = times[last] as number;
  // arrivals come in batches that share one timestamp: an empty window means "too fast to tell"
  const perSecond = toMs > fromMs ? ((last - first) * 1000) / (toMs - fromMs) : Number.POSITIVE_INFINITY;
  return { perSecond, fromMs, toMs };
}
