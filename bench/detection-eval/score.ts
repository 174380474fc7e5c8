import { ATTACK_KINDS, type AttackKind, type Label } from './corpus-types.js';

/** What the evaluation keeps of one enriched event. */
export interface EnrichedSummary {
  /** `<SourceKey>#<SourceRecordNumber>` */
  id: string;
  logType: string;
  flagged: boolean;
  late: boolean;
  /** the entity's events in its feature window so far (WindowEventCount) */
  windowCount: number;
}

/** Buckets of WindowEventCount: whether busy entities are flagged more often than the target rate. */
const WINDOW_COUNT_BUCKETS: Array<[string, number]> = [
  ['1', 1],
  ['2-10', 10],
  ['11-100', 100],
  ['>100', Number.POSITIVE_INFINITY],
];

function windowCountBucket(n: number): string {
  return (WINDOW_COUNT_BUCKETS.find(([, upTo]) => n <= upTo) as [string, number])[0];
}

export interface KindFigures {
  incidents: number;
  /** incidents with at least one flagged event */
  incidentsDetected: number;
  incidentRecall: number;
  events: number;
  eventsFlagged: number;
  eventRecall: number;
  /** the log types this kind's records are in */
  logTypes: string[];
  /** flagged events of this kind / (those + flagged normal events of the same log types) */
  eventPrecision: number;
  /** flagged events of this kind / every flagged event */
  shareOfFlagged: number;
}

export interface DetectionFigures {
  events: number;
  flagged: number;
  flagRate: number;
  flagRateByLogType: Record<string, number>;
  /** per bucket of WindowEventCount: share of all events in it, and its flag rate */
  byWindowCount: Record<string, { share: number; flagRate: number }>;
  labelled: number;
  /** flagged and labelled (any kind) / flagged */
  precision: number;
  /** flagged and labelled / labelled */
  recall: number;
  perKind: Record<AttackKind, KindFigures>;
  late: {
    marked: number;
    share: number;
    /** records that arrived after their source's grace (delivery.ts trulyLate) */
    trulyLate: number;
    /** marked LateEvent and truly late */
    markedAndTrulyLate: number;
  };
  /** labelled records with no enriched event, and events seen more than once: both should be 0 */
  missingLabelled: number;
  duplicates: number;
}

/** Joins the enriched events with the corpus's labels (by source position) and computes the figures. */
export function scoreDetection(events: Iterable<EnrichedSummary>, labels: Map<string, Label>, trulyLate: Set<string>): DetectionFigures {
  const seen = new Set<string>();
  let duplicates = 0;
  let total = 0;
  let flagged = 0;
  let flaggedLabelled = 0;
  let marked = 0;
  let markedAndTrulyLate = 0;
  const byLogType = new Map<string, { events: number; flagged: number; flaggedNormal: number }>();
  const byWindowCount = new Map<string, { events: number; flagged: number }>(
    WINDOW_COUNT_BUCKETS.map(([b]) => [b, { events: 0, flagged: 0 }]),
  );
  const kindLogTypes = new Map<AttackKind, Set<string>>(ATTACK_KINDS.map((k) => [k, new Set<string>()]));
  const flaggedByKind = new Map<AttackKind, number>(ATTACK_KINDS.map((k) => [k, 0]));
  const detectedIncidents = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) {
      duplicates++;
      continue;
    }
    seen.add(e.id);
    total++;
    const label = labels.get(e.id);
    const row = byLogType.get(e.logType) ?? { events: 0, flagged: 0, flaggedNormal: 0 };
    byLogType.set(e.logType, row);
    row.events++;
    const bucket = byWindowCount.get(windowCountBucket(e.windowCount)) as { events: number; flagged: number };
    bucket.events++;
    if (e.flagged) bucket.flagged++;
    if (label) kindLogTypes.get(label.kind)?.add(e.logType);
    if (e.late) {
      marked++;
      if (trulyLate.has(e.id)) markedAndTrulyLate++;
    }
    if (!e.flagged) continue;
    flagged++;
    row.flagged++;
    if (label) {
      flaggedLabelled++;
      flaggedByKind.set(label.kind, (flaggedByKind.get(label.kind) ?? 0) + 1);
      detectedIncidents.add(label.incident);
    } else row.flaggedNormal++;
  }
  const incidents = new Map<AttackKind, Set<string>>(ATTACK_KINDS.map((k) => [k, new Set<string>()]));
  const eventsOfKind = new Map<AttackKind, number>(ATTACK_KINDS.map((k) => [k, 0]));
  let missingLabelled = 0;
  for (const [id, label] of labels) {
    incidents.get(label.kind)?.add(label.incident);
    eventsOfKind.set(label.kind, (eventsOfKind.get(label.kind) ?? 0) + 1);
    if (!seen.has(id)) missingLabelled++;
  }
  const perKind = {} as Record<AttackKind, KindFigures>;
  for (const kind of ATTACK_KINDS) {
    const ids = incidents.get(kind) as Set<string>;
    const detected = [...ids].filter((i) => detectedIncidents.has(i)).length;
    const events = eventsOfKind.get(kind) ?? 0;
    const tp = flaggedByKind.get(kind) ?? 0;
    const logTypes = [...(kindLogTypes.get(kind) as Set<string>)].sort();
    const falseInSources = logTypes.reduce((n, t) => n + (byLogType.get(t)?.flaggedNormal ?? 0), 0);
    perKind[kind] = {
      incidents: ids.size,
      incidentsDetected: detected,
      incidentRecall: ratio(detected, ids.size),
      events,
      eventsFlagged: tp,
      eventRecall: ratio(tp, events),
      logTypes,
      eventPrecision: ratio(tp, tp + falseInSources),
      shareOfFlagged: ratio(tp, flagged),
    };
  }
  return {
    events: total,
    flagged,
    flagRate: ratio(flagged, total),
    flagRateByLogType: Object.fromEntries([...byLogType].sort().map(([t, r]) => [t, ratio(r.flagged, r.events)])),
    byWindowCount: Object.fromEntries(
      [...byWindowCount].map(([b, r]) => [b, { share: ratio(r.events, total), flagRate: ratio(r.flagged, r.events) }]),
    ),
    labelled: labels.size,
    precision: ratio(flaggedLabelled, flagged),
    recall: ratio(flaggedLabelled, labels.size),
    perKind,
    late: { marked, share: ratio(marked, total), trulyLate: trulyLate.size, markedAndTrulyLate },
    missingLabelled,
    duplicates,
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
