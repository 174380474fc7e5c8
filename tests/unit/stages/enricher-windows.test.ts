import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/schemas/events.js';
import { enricherSchema } from '../../../src/stages/enricher/config.js';
import { PartitionStore } from '../../../src/stages/enricher/partition-store.js';
import { labelledTraffic } from '../../../src/stages/enricher/training/labelled-traffic.js';
import { windowStarts } from '../../../src/stages/enricher/windows.js';

const MIN = 60_000;
const config = enricherSchema.parse({
  windows: [
    { name: 'm1', sizeMs: MIN },
    { name: 'm3', sizeMs: 3 * MIN, advanceMs: MIN },
  ],
  featureWindow: 'm1',
  graceMs: 10_000,
});

function event(entity: string, t: number, extra: Partial<NormalizedEvent> = {}): NormalizedEvent {
  const [template] = labelledTraffic({ seed: 1, hosts: 1, users: 0, durationMs: 3_600_000, incidentsPerKind: 0 });
  return { ...(template?.event as NormalizedEvent), EntityKey: entity, TimeGenerated: t, ...extra };
}

describe('enricher windows', () => {
  it('assigns tumbling and hopping windows aligned to the epoch', () => {
    expect(windowStarts({ name: 't', sizeMs: MIN }, 61_000)).toEqual([MIN]);
    expect(windowStarts({ name: 'h', sizeMs: 3 * MIN, advanceMs: MIN }, 3 * MIN + 5)).toEqual([MIN, 2 * MIN, 3 * MIN]);
  });

  it('counts out-of-order events within the grace period in their own windows', () => {
    const store = new PartitionStore(config);
    expect(store.observe(event('a', 10_000)).windowCounts).toEqual({ m1: 1, m3: 1 });
    // the oldest 3-minute window holding 65 s starts at -60 s and also holds 10 s
    expect(store.observe(event('a', 65_000)).windowCounts).toEqual({ m1: 1, m3: 2 });
    // 55 s event time after 65 s: behind the stream time but inside the 10 s grace
    const outOfOrder = store.observe(event('a', 55_000));
    expect(outOfOrder.late).toBe(false);
    expect(outOfOrder.windowStart).toBe(0);
    expect(outOfOrder.windowCounts.m1).toBe(2);
    // the oldest open 3-minute window holding 55 s, [-120 s, 60 s), holds 10 s and 55 s
    expect(outOfOrder.windowCounts.m3).toBe(2);
    expect(store.observe(event('b', 59_000)).windowCounts.m1).toBe(1);
  });

  it('flags, counts and passes through events later than grace and allowed lateness, without touching closed windows', () => {
    const strict = { ...config, allowedLatenessMs: 0 };
    const store = new PartitionStore(strict);
    store.observe(event('a', 30_000));
    store.observe(event('a', 75_000)); // watermark 65 s: window [0, 60 s) is closed
    const late = store.observe(event('a', 50_000));
    expect(late.late).toBe(true);
    expect(late.windowCounts.m1).toBe(1); // features of the event alone
    expect(store.lateEvents).toBe(1);
    const onTime = store.observe(event('a', 70_000));
    expect(onTime.late).toBe(false);
    expect(onTime.windowCounts.m1).toBe(2); // 75 s and 70 s; the late one did not reopen anything
    // exactly at the boundary: window [0, 60 s) closes when the watermark reaches 60 s
    const edge = new PartitionStore(strict);
    edge.observe(event('a', 1_000));
    edge.observe(event('a', 69_999)); // watermark 59.999 s: still open
    expect(edge.observe(event('a', 2_000)).late).toBe(false);
    edge.observe(event('a', 70_000)); // watermark 60 s: closed
    expect(edge.observe(event('a', 3_000)).late).toBe(true);
  });

  it('computes window features per entity', () => {
    const store = new PartitionStore(config);
    for (let port = 1; port <= 5; port++) {
      store.observe(
        event('scanner', 1_000 * port, { DstPortNumber: port, DstIpAddr: '10.0.0.1', EventResult: port % 2 ? 'Failure' : 'Success' }),
      );
    }
    const f = store.observe(event('scanner', 6_000, { DstPortNumber: 6, DstIpAddr: '10.0.0.2', EventResult: 'Failure' })).features;
    expect(f.events_in_window).toBe(6);
    expect(f.distinct_ports).toBe(6);
    expect(f.distinct_destinations).toBe(2);
    expect(f.failure_ratio).toBeCloseTo(4 / 6);
    expect(f.log1p_seconds_since_previous).toBeCloseTo(Math.log1p(1));
  });

  it('caps entities per partition, evicting the least recently seen', () => {
    const store = new PartitionStore({ ...config, maxEntitiesPerPartition: 3 });
    for (const e of ['a', 'b', 'c', 'a', 'd']) store.observe(event(e, 1_000));
    expect(store.entityCount).toBe(3);
    expect(store.evictedEntities).toBe(1);
    const changes = new Map(store.takeChanges());
    expect(changes.get('e:b')).toBeNull(); // b was least recently seen: its tombstone goes to the changelog
    expect(store.observe(event('b', 2_000)).windowCounts.m1).toBe(1);
  });

  it('counts the size of a transfer only where its destination is rare in the partition, and forgets the least recently seen beyond the cap', () => {
    const store = new PartitionStore({ ...config, maxDestinationsPerPartition: 2 });
    const flow = (t: number, dst: string, bytes: number) =>
      store.observe(event(`h${t}`, t * 1_000, { DstIpAddr: dst, SrcBytes: bytes })).features.rare_destination_log_bytes;
    // the first three events to a destination are rare, whichever entity sends them
    expect([1, 2, 3, 4].map((t) => flow(t, '52.0.0.1', 300e6))).toEqual([1, 1, 1, 0].map((rare) => rare * Math.log1p(300e6)));
    expect(flow(5, '203.0.113.9', 90e6)).toBeCloseTo(Math.log1p(90e6));
    // a third address pushes out the least recently seen (52.0.0.1), which is rare again
    flow(6, '198.51.100.1', 10);
    expect(store.destinationCount).toBe(2);
    expect(flow(7, '52.0.0.1', 300e6)).toBeCloseTo(Math.log1p(300e6));
    expect(store.observe(event('x', 8_000, { DstIpAddr: null, SrcBytes: 5e9 })).features.rare_destination_log_bytes).toBe(0);
  });

  it('restores from its changelog to the same state', () => {
    const traffic = labelledTraffic({ seed: 3, hosts: 20, users: 10, durationMs: 20 * MIN, incidentsPerKind: 1 });
    const live = new PartitionStore(config);
    const changelog = new Map<string, string>();
    const half = Math.floor(traffic.length / 2);
    traffic.slice(0, half).forEach((x, i) => {
      live.observe(x.event);
      if (i % 50 === 49 || i === half - 1) {
        for (const [k, v] of live.takeChanges()) v === null ? changelog.delete(k) : changelog.set(k, v);
      }
    });
    const restored = new PartitionStore(config);
    restored.restore(changelog);
    for (const x of traffic.slice(half)) expect(restored.observe(x.event)).toEqual(live.observe(x.event));
  });
});
