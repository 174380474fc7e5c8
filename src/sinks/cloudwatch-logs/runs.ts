/**
 * Items in time order (ties keep their order), cut into runs whose newest and oldest time lie less than
 * `maxSpanMs` apart: one PutLogEvents call each.
 */
export function chronologicalRuns<T>(items: T[], timeOf: (item: T) => number, maxSpanMs: number): T[][] {
  const sorted = items.map((item, i) => ({ item, i, t: timeOf(item) })).sort((a, b) => a.t - b.t || a.i - b.i);
  const runs: T[][] = [];
  let run: T[] = [];
  let start = 0;
  for (const { item, t } of sorted) {
    if (run.length > 0 && t - start >= maxSpanMs) {
      runs.push(run);
      run = [];
    }
    if (run.length === 0) start = t;
    run.push(item);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
