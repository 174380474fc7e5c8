import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/schemas/events.js';
import { enricherSchema } from '../../../src/stages/enricher/config.js';
import { PartitionStore } from '../../../src/stages/enricher/partition-store.js';
import { labelledTraffic } from '../../../src/stages/enricher/training/labelled-traffic.js';

const [template] = labelledTraffic({ seed: 1, hosts: 1, users: 0, durationMs: 3_600_000, incidentsPerKind: 0 });
const event = (entity: string, t: number, extra: Partial<NormalizedEvent> = {}): NormalizedEvent => ({
  ...(template?.event as NormalizedEvent),
  EntityKey: entity,
  TimeGenerated: t,
  LogType: 'flow',
  ...extra,
});

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const config = enricherSchema.parse({ calibration: { targetAlertRate: 0.01, warmUpEvents: 500 } });
const model = { version: 'm1', threshold: 0.2 };

function observeAndFlag(store: PartitionStore, e: NormalizedEvent, score: number, m: typeof model) {
  store.observe(e);
  return store.flag(e, score, m);
}

/** Scores for `n` events of distinct entities (one event each), drawn from an exponential tail above 0.1. */
function scoreStream(store: PartitionStore, n: number, random: () => number, logType = 'flow', at = 0) {
  let flagged = 0;
  for (let i = 0; i < n; i++) {
    const e = event(`h${logType}${at + i}`, at + i, { LogType: logType });
    if (observeAndFlag(store, e, 0.1 - Math.log(1 - random()) * 0.05, model).anomaly) flagged++;
  }
  return flagged;
}

describe('enricher score calibration', () => {
  it("flags by the model's own threshold alone while warming up, then about the target rate of each log type", () => {
    const store = new PartitionStore(config);
    const random = seeded(3);
    // warm-up: the model's threshold 0.2 flags exp(-2) ≈ 13.5% of this stream (a model this far off is what the calibration is for)
    const warming = scoreStream(store, 500, random) / 500;
    expect(warming).toBeGreaterThan(0.1);
    expect(warming).toBeLessThan(0.17);
    const calibrated = scoreStream(store, 20_000, random, 'flow', 500);
    expect(calibrated / 20_000).toBeGreaterThan(0.006);
    expect(calibrated / 20_000).toBeLessThan(0.014);
    // another log type has its own threshold and its own warm-up
    const trail = scoreStream(store, 200, seeded(4), 'trail') / 200;
    expect(trail).toBeGreaterThan(0.08);
    expect(trail).toBeLessThan(0.2);
  });

  it('never flags below the model threshold', () => {
    const store = new PartitionStore(config);
    const low = seeded(5);
    for (let i = 0; i < 2_000; i++) {
      const e = event(`h${i}`, i);
      expect(observeAndFlag(store, e, 0.1 + low() * 0.05, model).anomaly).toBe(false);
    }
  });

  it('holds the target rate when busy entities score higher than the rest (their every event counts)', () => {
    const store = new PartitionStore(config);
    const random = seeded(6);
    let flagged = 0;
    const n = 30_000;
    for (let i = 0; i < n; i++) {
      // a tenth of the events come from 20 busy entities whose scores sit higher
      const busy = i % 10 === 0;
      const e = event(busy ? `busy${i % 200}` : `h${i}`, i);
      const score = (busy ? 0.2 : 0.1) - Math.log(1 - random()) * 0.05;
      if (observeAndFlag(store, e, score, model).anomaly && i >= 500) flagged++;
    }
    expect(flagged / (n - 500)).toBeGreaterThan(0.006);
    expect(flagged / (n - 500)).toBeLessThan(0.014);
  });

  it('keeps its thresholds through a restore, and restarts them for a new model', () => {
    const live = new PartitionStore(config);
    scoreStream(live, 3_000, seeded(7));
    const changelog = new Map<string, string>();
    for (const [k, v] of live.takeChanges()) if (v !== null) changelog.set(k, v);
    const restored = new PartitionStore(config);
    restored.restore(changelog);
    const e = event('x', 3_001);
    const [a, b] = [observeAndFlag(live, e, 0.25, model), observeAndFlag(restored, e, 0.25, model)];
    expect(b).toEqual(a);
    expect(a.threshold).toBeGreaterThan(model.threshold);
    expect(observeAndFlag(restored, e, 0.25, { version: 'm2', threshold: 0.2 }).threshold).toBe(0.2); // warming up again: the model's own
  });

  it('marks the first event of a never-seen template naming a sensitive operation, once', () => {
    const store = new PartitionStore(config);
    const call = (op: string, t: number) =>
      store.observe(event('admin', t, { EventSchema: 'AuditEvent', EventType: 'Delete', Operation: op, LogType: 'trail' }));
    expect(call('DeleteTrail', 1).sensitiveNewTemplate).toBe(true);
    expect(call('DeleteTrail', 2).sensitiveNewTemplate).toBe(false);
    expect(call('StopLogging', 3).sensitiveNewTemplate).toBe(true);
    expect(store.observe(event('h', 4, { EventType: 'Read', Operation: 'ListBuckets' })).sensitiveNewTemplate).toBe(false);
  });
});
