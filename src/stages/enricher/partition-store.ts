import type { NormalizedEvent } from '../../schemas/events.js';
import { sourceStreamOf } from '../../schemas/source-stream.js';
import type { EnricherConfig, WindowSpec } from './config.js';
import { DestinationCounts } from './destination-counts.js';
import { DrainMiner, type Template } from './drain.js';
import {
  type EntityState,
  expireWindows,
  loadEntity,
  newEntityState,
  observeBytes,
  type StoredEntity,
  storeEntity,
} from './entity-state.js';
import { computeFeatures, type Features, historyOf } from './features.js';
import { INCIDENT_KEY_PREFIX, IncidentTracker } from './incidents.js';
import { P2Quantile, type P2State } from './p2-quantile.js';
import { eventLine, severityScore } from './severity.js';
import { type SourceClockPolicy, SourceClocks } from './source-clocks.js';
import { sourceClockPolicy } from './source-grace.js';
import { addToAggregate, emptyAggregate, mergeInto, type WindowAggregate, type WindowObservation } from './window-aggregate.js';
import { advanceOf, arrivedLate, paneStart, windowClosed, windowStarts } from './windows.js';

export interface Observation {
  features: Features;
  late: boolean;
  windowStart: number;
  windowSizeMs: number;
  /** per window name, the event count of the window its features read (the oldest open one holding the event) */
  windowCounts: Record<string, number>;
  template: Template;
  /** the event's template is new in its partition and its line names a sensitive operation */
  sensitiveNewTemplate: boolean;
  /** the partition's retention watermark right after the event: windows (and incidents) ending at or before it are closed */
  closeWatermark: number;
}

/** What the score is compared with: the model's own threshold, and which model (calibration restarts with a new one). */
export interface ModelThreshold {
  version: string;
  threshold: number;
}

/** A changelog entry: key and JSON value, null for a deleted key (a tombstone). */
export type ChangelogEntry = [key: string, value: string | null];

interface Meta {
  /** stream time per source stream (see SourceClocks), as last written */
  sources: Record<string, number>;
  /** events seen per log type: the denominator of template rarity */
  totals: Record<string, number>;
  seq: number;
  sweptAt: number;
}

const ENTITY = 'e:';
const TEMPLATE = 't:';
const META = 'm';
const CALIBRATION = 'q:';
const DESTINATION = 'd:';

interface Calibrator {
  version: string;
  quantile: P2Quantile;
}

/**
 * The enricher's state for one input partition: per-entity windows and history, the Drain
 * templates and the stream time of each source (log type) in it.
 * Every change is recorded so the loop can write it to the changelog in the chunk's transaction.
 */
export class PartitionStore {
  /** least recently seen first, for eviction; `seq` orders a restored map the same way */
  private readonly entities = new Map<string, EntityState & { seq: number }>();
  private readonly changed = new Set<string>();
  private readonly drain: DrainMiner;
  private readonly destinations: DestinationCounts;
  private readonly featureSpec: WindowSpec;
  private meta: Meta = { sources: {}, totals: {}, seq: 0, sweptAt: Number.MIN_SAFE_INTEGER };
  private clocks: SourceClocks;
  private readonly calibrators = new Map<string, Calibrator>();
  private readonly changedCalibrators = new Set<string>();
  private readonly sensitive: RegExp;
  /** flagged events aggregated per entity, template and window; changes go to the changelog with the rest */
  readonly incidents: IncidentTracker;
  evictedEntities = 0;
  lateEvents = 0;

  constructor(
    private readonly config: EnricherConfig,
    private readonly clockPolicy: SourceClockPolicy = sourceClockPolicy(config),
  ) {
    this.drain = new DrainMiner(config.drain);
    this.destinations = new DestinationCounts(config.maxDestinationsPerPartition);
    this.featureSpec = config.windows.find((w) => w.name === config.featureWindow) as WindowSpec;
    this.clocks = new SourceClocks(clockPolicy, this.meta.sources);
    this.incidents = new IncidentTracker(config.incidents);
    this.sensitive = new RegExp(config.sensitiveOperations.map((source) => `(?:${source})`).join('|') || '(?!)', 'i');
  }

  get entityCount(): number {
    return this.entities.size;
  }

  get destinationCount(): number {
    return this.destinations.size;
  }

  get templateCount(): number {
    return this.drain.size;
  }

  /** Window state ending at or before this is gone (no active source can use it). */
  get retentionWatermark(): number {
    return this.clocks.retentionWatermark();
  }

  observe(event: NormalizedEvent): Observation {
    const t = event.TimeGenerated;
    const own = this.clocks.observe(this.streamOf(event), t);
    // an idle source's own windows are kept for its event even when the others have moved on
    const kept = Math.min(this.clocks.retentionWatermark(), own - this.clockPolicy.allowedLatenessMs);
    const state = this.entity(event.EntityKey);
    const history = historyOf(state);
    const line = eventLine(event);
    const template = this.drain.add(line);
    const sensitive = this.sensitive.test(line);
    const logTypeTotal = (Object.hasOwn(this.meta.totals, event.LogType) ? (this.meta.totals[event.LogType] as number) : 0) + 1;
    this.meta.totals[event.LogType] = logTypeTotal;

    const o = observation(event);
    const late = arrivedLate(this.featureSpec, t, own);
    const windowCounts: Record<string, number> = {};
    let featureWindow: WindowAggregate | undefined;
    let featureStart = 0;
    for (const spec of this.config.windows) {
      const distinct = spec === this.featureSpec ? this.config.maxDistinctPerWindow : 0;
      const starts = windowStarts(spec, t);
      const open = starts.filter((start) => !windowClosed(spec, start, kept));
      let read: WindowAggregate;
      let readStart: number;
      if (open.length > 0) {
        addToAggregate(paneOf(state, spec.name, paneStart(spec, t)), o, distinct);
        readStart = open[0] as number;
        read = windowAggregate(state, spec, readStart);
      } else {
        // an event later than the allowed lateness still gets features: those of itself alone
        read = emptyAggregate();
        addToAggregate(read, o, distinct);
        readStart = starts[0] as number;
      }
      windowCounts[spec.name] = read.count;
      if (spec === this.featureSpec) {
        featureWindow = read;
        featureStart = readStart;
      }
    }
    if (late) this.lateEvents++;
    expireWindows(state, this.config.windows, kept);
    if (event.SrcBytes !== null) observeBytes(state, event.SrcBytes);
    state.lastEventTime = Math.max(state.lastEventTime ?? t, t);

    const features = computeFeatures({
      window: featureWindow as WindowAggregate,
      ...history,
      eventTime: t,
      bytes: event.SrcBytes,
      destinationSeenBefore: event.DstIpAddr ? this.destinations.see(event.DstIpAddr) : null,
      severity: severityScore(event, line, sensitive),
      // rarity within the event's log type: CloudTrail's templates are not rare just because VPC Flow is loud
      templateRarity: Math.max(0, -Math.log(template.count / logTypeTotal)),
    });
    const sensitiveNewTemplate = template.count === 1 && sensitive;
    this.changed.add(META);
    this.evictBeyondCap();
    this.sweepIdle();
    return {
      features,
      late,
      windowStart: featureStart,
      windowSizeMs: this.featureSpec.sizeMs,
      windowCounts,
      template,
      sensitiveNewTemplate,
      closeWatermark: this.clocks.retentionWatermark(),
    };
  }

  /**
   * Whether a score is flagged: above the stream's own (1 − targetAlertRate) quantile of its log type
   * (or EventSchema) once that has seen warmUpEvents scores (nothing before), and never below the model's threshold.
   */
  flag(event: NormalizedEvent, score: number, model: ModelThreshold): { anomaly: boolean; threshold: number } {
    const { by, targetAlertRate, warmUpEvents } = this.config.calibration;
    const key = by === 'logType' ? event.LogType : event.EventSchema;
    let calibrator = this.calibrators.get(key);
    if (!calibrator || calibrator.version !== model.version) {
      calibrator = { version: model.version, quantile: new P2Quantile(1 - targetAlertRate) };
      this.calibrators.set(key, calibrator);
    }
    // warming up, the model's own threshold alone
    const threshold = calibrator.quantile.count >= warmUpEvents ? Math.max(calibrator.quantile.value(), model.threshold) : model.threshold;
    // every score counts: a sample that left out busy entities' events (once tried) flagged them at 20% and the stream at 4× its target
    calibrator.quantile.add(score);
    this.changedCalibrators.add(key);
    return { anomaly: score > threshold, threshold };
  }

  /** Changes since the last call, as changelog entries (entities, templates, calibration, incidents, meta). */
  takeChanges(): ChangelogEntry[] {
    const out: ChangelogEntry[] = [];
    for (const key of this.changed) {
      if (key === META) continue;
      const state = this.entities.get(key);
      out.push([ENTITY + key, state ? JSON.stringify({ ...storeEntity(state), s: state.seq }) : null]);
    }
    for (const [id, template] of this.drain.takeChanges()) out.push([TEMPLATE + id, template ? JSON.stringify(template) : null]);
    for (const [address, stored] of this.destinations.takeChanges()) out.push([DESTINATION + address, stored]);
    for (const key of this.changedCalibrators) {
      const c = this.calibrators.get(key) as Calibrator;
      out.push([CALIBRATION + key, JSON.stringify({ v: c.version, p: c.quantile.p, s: c.quantile })]);
    }
    this.changedCalibrators.clear();
    out.push(...this.incidents.takeChanges());
    if (this.changed.has(META)) out.push([META, JSON.stringify({ ...this.meta, sources: this.clocks.toJSON() })]);
    this.changed.clear();
    return out;
  }

  /** Applies the latest changelog value of every key (as read from the changelog, in any order). */
  restore(latest: Map<string, string>): void {
    const entities: Array<[string, EntityState & { seq: number }]> = [];
    const destinations: Array<[string, string]> = [];
    for (const [key, value] of latest) {
      if (key === META) this.meta = restoredMeta(value);
      else if (key.startsWith(DESTINATION)) destinations.push([key.slice(DESTINATION.length), value]);
      else if (key.startsWith(TEMPLATE)) this.drain.restore(JSON.parse(value) as Template);
      else if (key.startsWith(CALIBRATION)) {
        const stored = JSON.parse(value) as { v: string; p: number; s: P2State };
        if (stored.p === 1 - this.config.calibration.targetAlertRate)
          this.calibrators.set(key.slice(CALIBRATION.length), { version: stored.v, quantile: new P2Quantile(stored.p, stored.s) });
      } else if (key.startsWith(INCIDENT_KEY_PREFIX)) this.incidents.restore(value);
      else if (key.startsWith(ENTITY)) {
        const stored = JSON.parse(value) as StoredEntity & { s: number };
        entities.push([key.slice(ENTITY.length), { ...loadEntity(stored), seq: stored.s }]);
      }
    }
    entities.sort((a, b) => a[1].seq - b[1].seq);
    for (const [key, state] of entities) this.entities.set(key, state);
    this.destinations.restore(destinations);
    this.clocks = new SourceClocks(this.clockPolicy, this.meta.sources);
    this.changed.clear();
  }

  private lastKey: { logType: string; key: string; stream: string } | undefined;

  /** an object's events come one after another: its stream is worked out once */
  private streamOf(event: NormalizedEvent): string {
    const last = this.lastKey;
    if (last && last.key === event.SourceKey && last.logType === event.LogType) return last.stream;
    const stream = sourceStreamOf(event.LogType, event.SourceKey);
    this.lastKey = { logType: event.LogType, key: event.SourceKey, stream };
    return stream;
  }

  private entity(key: string): EntityState & { seq: number } {
    const state = this.entities.get(key) ?? { ...newEntityState(), seq: 0 };
    this.entities.delete(key);
    state.seq = ++this.meta.seq;
    this.entities.set(key, state);
    this.changed.add(key);
    return state;
  }

  private evictBeyondCap(): void {
    while (this.entities.size > this.config.maxEntitiesPerPartition) {
      const oldest = this.entities.keys().next();
      if (oldest.done) return;
      this.entities.delete(oldest.value);
      this.changed.add(oldest.value);
      this.evictedEntities++;
    }
  }

  /**
   * Once per window advance of the shortest window: drop closed windows everywhere, and entities
   * with nothing open whose last event is older than the longest window (their tombstones go to the changelog).
   */
  private sweepIdle(): void {
    const step = Math.min(...this.config.windows.map(advanceOf));
    const retention = this.clocks.retentionWatermark();
    const bucket = Math.floor(retention / step);
    if (bucket <= this.meta.sweptAt) return;
    this.meta.sweptAt = bucket;
    const horizon = retention - Math.max(...this.config.windows.map((w) => w.sizeMs));
    for (const [key, state] of this.entities) {
      expireWindows(state, this.config.windows, retention);
      if (state.windows.size === 0 && (state.lastEventTime ?? 0) < horizon) {
        this.entities.delete(key);
        this.changed.add(key);
      }
    }
  }
}

/** The window [start, start + sizeMs) as the merge of its panes (for a tumbling window, its one pane). */
function windowAggregate(state: EntityState, spec: WindowSpec, start: number): WindowAggregate {
  const panes = state.windows.get(spec.name);
  const advance = advanceOf(spec);
  if (advance === spec.sizeMs) return panes?.get(start) ?? emptyAggregate();
  const merged = emptyAggregate();
  for (let pane = start; pane < start + spec.sizeMs; pane += advance) {
    const agg = panes?.get(pane);
    if (agg) mergeInto(merged, agg);
  }
  return merged;
}

/** Meta as stored; state written before stream time was kept per source restarts its clocks. */
function restoredMeta(value: string): Meta {
  const stored = JSON.parse(value) as Partial<Meta>;
  return {
    sources: stored.sources ?? {},
    totals: stored.totals ?? {},
    seq: stored.seq ?? 0,
    sweptAt: stored.sweptAt ?? Number.MIN_SAFE_INTEGER,
  };
}

function paneOf(state: EntityState, name: string, start: number): WindowAggregate {
  let windows = state.windows.get(name);
  if (!windows) {
    windows = new Map();
    state.windows.set(name, windows);
  }
  let agg = windows.get(start);
  if (!agg) {
    agg = emptyAggregate();
    windows.set(start, agg);
  }
  return agg;
}

const FAILED = /^(?:failure|failed|deny|denied|drop|block|blocked|reject)$/i;

function observation(event: NormalizedEvent): WindowObservation {
  return {
    failed: FAILED.test(event.EventResult ?? '') || FAILED.test(event.DvcAction ?? ''),
    bytes: event.SrcBytes ?? 0,
    destination: event.DstIpAddr,
    port: event.DstPortNumber === null ? null : String(event.DstPortNumber),
    user: event.TargetUsername ?? event.ActorUsername,
  };
}
