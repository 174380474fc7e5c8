import type { WindowSpec } from './config.js';

/**
 * Event-time window assignment, as in Kafka Streams' TimeWindows: windows are aligned to the
 * epoch, `[start, start + sizeMs)`, and a hopping window starts every `advanceMs`, so an event
 * belongs to sizeMs / advanceMs windows. Tumbling windows are hopping windows with advance = size.
 */
export function advanceOf(spec: WindowSpec): number {
  return spec.advanceMs ?? spec.sizeMs;
}

/** Starts of every window of `spec` that contains `eventTime`, oldest first. */
export function windowStarts(spec: WindowSpec, eventTime: number): number[] {
  const advance = advanceOf(spec);
  const last = Math.floor(eventTime / advance) * advance;
  const starts: number[] = [];
  for (let start = last - spec.sizeMs + advance; start <= last; start += advance) starts.push(start);
  return starts;
}

/**
 * The window an event's features are read from: the oldest window that contains it, i.e. the
 * one holding the most of the entity's history before the event (for tumbling windows, the only one).
 */
export function featureWindowStart(spec: WindowSpec, eventTime: number): number {
  return windowStarts(spec, eventTime)[0] as number;
}

/**
 * Windows are stored as panes, one per `advanceMs` slot (Li et al., "No pane, no gain"): an event
 * updates one pane, and a hopping window's aggregate is the merge of the sizeMs / advanceMs panes
 * it covers. A pane can go once the newest window covering it — the one starting at it — is closed.
 */
export function paneStart(spec: WindowSpec, eventTime: number): number {
  const advance = advanceOf(spec);
  return Math.floor(eventTime / advance) * advance;
}

/**
 * A window is closed once the watermark (the partition's newest event time minus the grace
 * period) has passed its end; events for a closed window are late.
 */
export function windowClosed(spec: WindowSpec, start: number, watermark: number): boolean {
  return start + spec.sizeMs <= watermark;
}
