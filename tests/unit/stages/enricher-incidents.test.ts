import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/schemas/events.js';
import type { Incident } from '../../../src/schemas/incident.js';
import { enricherSchema, type IncidentsConfig } from '../../../src/stages/enricher/config.js';
import type { Template } from '../../../src/stages/enricher/drain.js';
import { featureDeviations } from '../../../src/stages/enricher/feature-deviation.js';
import { COMPUTED_FEATURES, FEATURE_NAMES, type Features } from '../../../src/stages/enricher/features.js';
import { type FlaggedEvent, IncidentTracker, incidentId } from '../../../src/stages/enricher/incidents.js';
import { type ChangelogEntry, PartitionStore } from '../../../src/stages/enricher/partition-store.js';
import { labelledTraffic } from '../../../src/stages/enricher/training/labelled-traffic.js';

const MIN = 60_000;
const [sample] = labelledTraffic({ seed: 1, hosts: 1, users: 0, durationMs: 60 * MIN, incidentsPerKind: 0 });
const event = (entity: string, t: number, id: string, extra: Partial<NormalizedEvent> = {}): NormalizedEvent => ({
  ...(sample?.event as NormalizedEvent),
  EntityKey: entity,
  TimeGenerated: t,
  EventId: id,
  LogType: 'flow',
  ...extra,
});
const template = (id: string): Template => ({ id, tokens: ['accept', '<IP>', id], count: 1, path: [] });
const config = (o: Partial<IncidentsConfig> = {}): IncidentsConfig => ({ ...enricherSchema.parse({}).incidents, windowMs: MIN, ...o });
const scoreHit = (score: number, deviations: FlaggedEvent['deviations'] = []): FlaggedEvent => ({
  reason: 'score',
  score,
  deviations,
  modelVersion: 'm1',
});
const NOTHING_CLOSED = Number.MIN_SAFE_INTEGER;

describe('enricher incidents', () => {
  it('opens on the first anomaly, updates when the count doubles, closes once the watermark passes the window', () => {
    const tracker = new IncidentTracker(config({ maxExamples: 3 }));
    const written: Incident[] = [];
    for (let i = 0; i < 10; i++) {
      const out = tracker.track(event('h1', 1_000 + i * 1_000, `e${i}`), NOTHING_CLOSED, template('t1'), scoreHit(0.1 + i / 100));
      written.push(...out.map((o) => o.incident));
    }
    // an unflagged event of another entity whose watermark is still inside the window closes nothing
    expect(tracker.track(event('h2', 59_000, 'x'), MIN - 1, template('t1'), null)).toEqual([]);
    const closed = tracker.track(event('h2', 80_000, 'y'), MIN, template('t1'), null).map((o) => o.incident);
    written.push(...closed);

    expect(written.map((r) => [r.Revision, r.Status, r.Count])).toEqual([
      [1, 'open', 1],
      [2, 'updated', 2],
      [3, 'updated', 4],
      [4, 'updated', 8],
      [5, 'closed', 10],
    ]);
    const final = written[4] as Incident;
    expect(final).toMatchObject({
      IncidentId: incidentId('h1', 't1', 0),
      EventId: `${incidentId('h1', 't1', 0)}-5`,
      EntityKey: 'h1',
      TemplateId: 't1',
      Template: 'accept <IP> t1',
      WindowStart: 0,
      WindowEnd: MIN,
      FirstSeen: 1_000,
      LastSeen: 10_000,
      TimeGenerated: 10_000,
      Reasons: ['score'],
      ExampleEventIds: ['e0', 'e1', 'e2'],
      ModelVersion: 'm1',
    });
    expect(final.MaxScore).toBeCloseTo(0.19);
    expect(new Set(written.map((r) => r.IncidentId)).size).toBe(1);
    expect(tracker.openCount).toBe(0);
    // a closed incident leaves a tombstone in the changelog
    expect(tracker.takeChanges()).toEqual([[`i:${final.IncidentId}`, null]]);
  });

  it('keeps one incident per entity, template and window, with the reasons of all its events', () => {
    const tracker = new IncidentTracker(config());
    const ids = [
      tracker.track(event('h1', 1_000, 'a'), NOTHING_CLOSED, template('t1'), scoreHit(0.2)),
      tracker.track(event('h1', 2_000, 'b'), NOTHING_CLOSED, template('t2'), scoreHit(0.2)),
      tracker.track(event('h2', 3_000, 'c'), NOTHING_CLOSED, template('t1'), scoreHit(0.2)),
      tracker.track(event('h1', MIN + 1, 'd'), NOTHING_CLOSED, template('t1'), scoreHit(0.2)),
      tracker.track(event('h1', 4_000, 'e'), NOTHING_CLOSED, template('t1'), { ...scoreHit(0.05), reason: 'new-sensitive-template' }),
    ].map((out) => out.map((o) => `${o.incident.IncidentId}:${o.status}:${o.incident.Reasons.join('+')}`));
    expect(ids.slice(0, 4).every((o) => o.length === 1 && o[0]?.endsWith(':open:score'))).toBe(true);
    expect(new Set(ids.slice(0, 4).flat()).size).toBe(4);
    expect(ids[4]).toEqual([`${incidentId('h1', 't1', 0)}:updated:score+new-sensitive-template`]);
    expect(tracker.openCount).toBe(4);
  });

  it('counts an anomaly whose window already closed in the oldest window still open, never under a final id', () => {
    const tracker = new IncidentTracker(config());
    const opened = tracker.track(event('h1', 10_000, 'a'), NOTHING_CLOSED, template('t1'), scoreHit(0.2));
    const closed = tracker.track(event('h1', 200_000, 'b'), 130_000, template('t1'), null);
    expect(closed.map((o) => o.status)).toEqual(['closed']);
    const late = tracker.track(event('h1', 20_000, 'late'), 130_000, template('t1'), scoreHit(0.3));
    expect(late.map((o) => [o.status, o.incident.WindowStart, o.incident.FirstSeen])).toEqual([['open', 2 * MIN, 20_000]]);
    expect(late[0]?.incident.IncidentId).not.toBe(opened[0]?.incident.IncidentId);
  });

  it('holds at most maxOpenPerPartition incidents and refuses (counts) the anomalies beyond', () => {
    const tracker = new IncidentTracker(config({ maxOpenPerPartition: 2 }));
    for (const entity of ['a', 'b', 'c', 'd']) tracker.track(event(entity, 1_000, entity), NOTHING_CLOSED, template('t1'), scoreHit(0.2));
    expect(tracker.openCount).toBe(2);
    expect(tracker.refused).toBe(2);
    // an open incident still counts its own anomalies at the cap
    expect(tracker.track(event('a', 2_000, 'a2'), NOTHING_CLOSED, template('t1'), scoreHit(0.2))).toHaveLength(1);
    expect(tracker.refused).toBe(2);
  });

  it('writes no incident when disabled, and a burst of 10,000 anomalies as 15 records', () => {
    const off = new IncidentTracker(config({ enabled: false }));
    expect(off.track(event('h', 1, 'a'), NOTHING_CLOSED, template('t'), scoreHit(1))).toEqual([]);
    const tracker = new IncidentTracker(config());
    let records = 0;
    for (let i = 0; i < 10_000; i++) records += tracker.track(event('h', i, `e${i}`), NOTHING_CLOSED, template('t'), scoreHit(1)).length;
    records += tracker.track(event('x', 10 * MIN, 'x'), 9 * MIN, template('t'), null).length;
    expect(records).toBe(1 + 13 + 1); // open, 2..8192, closed
  });

  it('names the features furthest outside the training range, largest first', () => {
    const values = Object.fromEntries(COMPUTED_FEATURES.map((n) => [n, 0.5])) as Features;
    const scaling = { offset: FEATURE_NAMES.map(() => 0), scale: FEATURE_NAMES.map(() => 1) };
    const first = featureDeviations({ ...values, ports_per_destination: 40, failures_in_window: 1 }, scaling);
    const second = featureDeviations({ ...values, ports_per_destination: 3, failures_in_window: 9, log_bytes_ratio: -2 }, scaling);
    expect(first.find((d) => d.name === 'ports_per_destination')?.deviation).toBe(39);
    expect(second.find((d) => d.name === 'log_bytes_ratio')?.deviation).toBe(2);
    const tracker = new IncidentTracker(config({ topFeatures: 3 }));
    tracker.track(event('h', 1, 'a'), NOTHING_CLOSED, template('t'), scoreHit(0.2, first));
    const [update] = tracker.track(event('h', 2, 'b'), NOTHING_CLOSED, template('t'), scoreHit(0.2, second));
    expect(update?.incident.TopFeatures).toEqual([
      { Name: 'ports_per_destination', Value: 40, Deviation: 39 },
      { Name: 'failures_in_window', Value: 9, Deviation: 8 },
      { Name: 'log_bytes_ratio', Value: -2, Deviation: 2 },
    ]);
  });
});

describe('enricher incidents across a restore', () => {
  const storeConfig = enricherSchema.parse({ graceMs: 10_000, allowedLatenessMs: 0, incidents: { windowMs: MIN } });
  const model = { version: 'm1', threshold: 0.5 };
  /** a scripted stream: every 7th event overall that is h0's and every even one that is h1's is an anomaly */
  const stream = Array.from({ length: 600 }, (_, i) =>
    event(`h${i % 3}`, i * 1_000, `e${i}`, { DstPortNumber: 1 + (i % 50), EventResult: i % 7 === 0 ? 'Failure' : 'Success' }),
  );
  const flagOf = (e: NormalizedEvent, i: number): FlaggedEvent | null =>
    (e.EntityKey === 'h0' && i % 7 === 0) || (e.EntityKey === 'h1' && i % 2 === 0) ? scoreHit(0.6 + (i % 10) / 100) : null;

  /** Runs events through a store as the enricher does, chunk by chunk, collecting records and the changelog. */
  function run(store: PartitionStore, from: number, to: number, chunk: number, changelog: Map<string, string>): Incident[] {
    const out: Incident[] = [];
    for (let start = from; start < to; start += chunk) {
      for (let i = start; i < Math.min(to, start + chunk); i++) {
        const e = stream[i] as NormalizedEvent;
        const o = store.observe(e);
        store.flag(e, 0.1, model);
        out.push(...store.incidents.track(e, o.closeWatermark, o.template, flagOf(e, i)).map((x) => x.incident));
      }
      applyChanges(changelog, store.takeChanges());
    }
    return out;
  }

  it('writes the same records whether the enricher ran through or was restored from its changelog midway', () => {
    const through = run(new PartitionStore(storeConfig), 0, stream.length, 37, new Map());

    const changelog = new Map<string, string>();
    const live = new PartitionStore(storeConfig);
    const before = run(live, 0, 311, 50, changelog);
    const restored = new PartitionStore(storeConfig);
    restored.restore(changelog);
    expect(restored.incidents.openCount).toBe(live.incidents.openCount);
    expect(restored.incidents.openCount).toBeGreaterThan(0);
    const after = run(restored, 311, stream.length, 23, changelog);
    const liveAfter = run(live, 311, stream.length, 23, new Map());

    expect(after).toEqual(liveAfter);
    expect([...before, ...after]).toEqual(through);
    // every incident's revisions are 1..n with one closing record at most, and counts never go back
    const byId = new Map<string, Incident[]>();
    for (const r of through) byId.set(r.IncidentId, [...(byId.get(r.IncidentId) ?? []), r]);
    expect(byId.size).toBeGreaterThan(10);
    for (const records of byId.values()) {
      expect(records.map((r) => r.Revision)).toEqual(records.map((_, i) => i + 1));
      expect(records.filter((r) => r.Status === 'closed').length).toBeLessThanOrEqual(1);
      expect(records.map((r) => r.Count)).toEqual([...records.map((r) => r.Count)].sort((a, b) => a - b));
    }
    // the changelog ends with only the incidents still open
    const openKeys = [...changelog.keys()].filter((k) => k.startsWith('i:'));
    const closedIds = new Set(through.filter((r) => r.Status === 'closed').map((r) => r.IncidentId));
    expect(openKeys.length).toBe(byId.size - closedIds.size);
    for (const key of openKeys) expect(closedIds.has(key.slice(2))).toBe(false);
  });
});

function applyChanges(changelog: Map<string, string>, changes: ChangelogEntry[]): void {
  for (const [key, value] of changes) {
    if (value === null) changelog.delete(key);
    else changelog.set(key, value);
  }
}
