import type { WindowSpec } from './config.js';
import { loadAggregate, type StoredAggregate, storeAggregate, type WindowAggregate } from './window-aggregate.js';
import { windowClosed } from './windows.js';

/**
 * One entity's state: its window panes per window name (keyed by pane start) and the history
 * the features need (newest event time, a running mean of bytes).
 */
export interface EntityState {
  windows: Map<string, Map<number, WindowAggregate>>;
  lastEventTime: number | null;
  bytesMean: number;
  bytesSeen: number;
}

export function newEntityState(): EntityState {
  return { windows: new Map(), lastEventTime: null, bytesMean: 0, bytesSeen: 0 };
}

/** Drops the panes no open window covers any more (the window starting at the pane is closed). */
export function expireWindows(state: EntityState, specs: readonly WindowSpec[], watermark: number): boolean {
  let dropped = false;
  for (const spec of specs) {
    const windows = state.windows.get(spec.name);
    if (!windows) continue;
    for (const start of windows.keys()) {
      if (windowClosed(spec, start, watermark)) {
        windows.delete(start);
        dropped = true;
      }
    }
    if (windows.size === 0) state.windows.delete(spec.name);
  }
  return dropped;
}

/** Running mean over the last ~N byte counts (an exponential moving average once N are seen). */
export const BYTES_MEAN_SPAN = 50;

export function observeBytes(state: EntityState, bytes: number): void {
  state.bytesSeen++;
  const weight = 1 / Math.min(state.bytesSeen, BYTES_MEAN_SPAN);
  state.bytesMean += (bytes - state.bytesMean) * weight;
}

export interface StoredEntity {
  w: Record<string, Array<[number, StoredAggregate]>>;
  t: number | null;
  m: number;
  n: number;
}

export function storeEntity(state: EntityState): StoredEntity {
  const w: StoredEntity['w'] = {};
  for (const [name, windows] of state.windows) w[name] = [...windows].map(([start, agg]) => [start, storeAggregate(agg)]);
  return { w, t: state.lastEventTime, m: state.bytesMean, n: state.bytesSeen };
}

export function loadEntity(stored: StoredEntity): EntityState {
  const windows = new Map<string, Map<number, WindowAggregate>>();
  for (const [name, list] of Object.entries(stored.w)) windows.set(name, new Map(list.map(([start, agg]) => [start, loadAggregate(agg)])));
  return { windows, lastEventTime: stored.t, bytesMean: stored.m, bytesSeen: stored.n };
}
