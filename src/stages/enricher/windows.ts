import type { WindowSpec } from './config.js';

/**
 * Event-time window assignment, as in Kafka Streams' TimeWindows and SlidingWindows. Tumbling and
 * hopping windows are aligned to the epoch, `[start, start + sizeMs)`, and a hopping window starts
 * every `advanceMs`, so an event belongs to sizeMs / advanceMs windows (tumbling: advance = size).
 * A sliding window is the one window of `sizeMs` that ends with the event's pane.
 */
export function advanceOf(spec: WindowSpec): number {
  if (spec.advanceMs !== undefined) return spec.advanceMs;
  return spec.kind === 'sliding' ? spec.sizeMs / 12 : spec.sizeMs;
}

/** Starts of every window of `spec` that contains `eventTime`, oldest first. */
export function windowStarts(spec: WindowSpec, eventTime: number): number[] {
  const advance = advanceOf(spec);
  const last = Math.floor(eventTime / advance) * advance;
  if (spec.kind === 'sliding') return [last + advance - spec.sizeMs];
  const starts: number[] = [];
  for (let start = last - spec.sizeMs + advance; start <= last; start += advance) starts.push(start);
  return starts;
}

/**
 * Windows are stored as panes, one per `advanceMs` slot (Li et al., "No pane, no gain"): an event
 * updates one pane, and a window's aggregate is the merge of the sizeMs / advanceMs panes it
 * covers. A pane can go once the newest window covering it — the one starting at it — is closed.
 */
export function paneStart(spec: WindowSpec, eventTime: number): number {
  const advance = advanceOf(spec);
  return Math.floor(eventTime / advance) * advance;
}

/** A window is closed once a watermark has passed its end. */
export function windowClosed(spec: WindowSpec, start: number, watermark: number): boolean {
  return start + spec.sizeMs <= watermark;
}

/**
 * An event is late once its source's watermark has passed the end of its pane: for a tumbling
 * window, its window is closed; for hopping and sliding ones, the slot it falls in is.
 */
export function arrivedLate(spec: WindowSpec, eventTime: number, watermark: number): boolean {
  return paneStart(spec, eventTime) + advanceOf(spec) <= watermark;
}
