import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../../src/schemas/events.js';
import type { Incident } from '../../src/schemas/incident.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import type { EnricherOutput } from '../../src/stages/enricher/enriched-fields.js';
import { labelledTraffic } from '../../src/stages/enricher/training/labelled-traffic.js';
import { produceNormalizedEvents } from '../support/produce-events.js';
import { crashBeforeCommit, exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const CRASHES = 3;
const MIN = 60_000;
const WINDOW = 5 * MIN;
const EXAMPLES = 3;

/**
 * Incidents are written in the enricher's transactions, so they are exactly once like its other
 * outputs: SIGKILL the enricher repeatedly between sending and committing, then recompute every
 * incident record (each revision) from the committed enriched events and compare it with what a
 * read_committed reader of the incidents topic sees.
 */
describe('enricher incidents exactly once across repeated SIGKILLs', () => {
  it('writes each revision of each incident once, with the counts and EventIds the flagged events give', async () => {
    const { topology, kafka, names, codec } = await incidentTestbed();
    const input = traffic(15, 'inc');
    await produceNormalizedEvents(kafka, codec, input);

    for (let crash = 1; crash <= CRASHES; crash++) {
      const crashed = await crashBeforeCommit(topology, 'enricher', 3);
      expect(crashed.signal, crashed.log).toBe('SIGKILL');
    }
    expect((await readAll(kafka, names.enriched)).length).toBeLessThan(input.length);

    const final = spawnStage(topology, 'enricher');
    try {
      await expectIncidentsExactlyOnce(topology, input.length);
    } finally {
      final.kill('SIGTERM');
      await exited(final);
    }
  });

  it('hands open incidents between two enrichers while one is SIGKILLed repeatedly (rebalances)', async () => {
    const { topology, kafka, codec } = await incidentTestbed();
    const input = traffic(16, 'reb');
    const slices = CRASHES + 1;
    const steady = spawnStage(topology, 'enricher');
    try {
      for (let round = 0; round < slices; round++) {
        const from = Math.floor((round * input.length) / slices);
        await produceNormalizedEvents(kafka, codec, input.slice(from, Math.floor(((round + 1) * input.length) / slices)));
        if (round === slices - 1) break;
        // a second member joins (a rebalance: partitions with open incidents move), works, and dies between send and commit
        const flaky = await crashBeforeCommit(topology, 'enricher', 3, 30_000);
        expect(flaky.signal, flaky.log).toBe('SIGKILL');
      }
      await expectIncidentsExactlyOnce(topology, input.length);
    } finally {
      steady.kill('SIGTERM');
      await exited(steady);
    }
  });
});

async function incidentTestbed() {
  const topology = testTopology({
    kafka: { sessionTimeoutMs: 6_000 },
    enricher: { maxRecordsPerTransaction: 100, incidents: { windowMs: WINDOW, maxExamples: EXAMPLES } },
  });
  const names = topicNames(topology);
  const kafka = createKafka(topology.kafka, 'test');
  await ensureTopics(kafka, topologyTopics(topology));
  const codec = new EventCodec<NormalizedEvent>(createRegistry(topology.schemaRegistry), names.normalized, 'normalized');
  return { topology, names, kafka, codec };
}

/** Half an hour of traffic with two port scans, two brute-force bursts, exfiltrations and rare API calls, in event-time order. */
function traffic(seed: number, idPrefix: string): NormalizedEvent[] {
  return labelledTraffic({ seed, hosts: 40, users: 20, durationMs: 30 * MIN, incidentsPerKind: 2 }).map((x, i) => ({
    ...x.event,
    EventId: `${idPrefix}-${i}`,
  }));
}

/** Waits for every input to be enriched, then compares every committed incident record with the oracle's. */
async function expectIncidentsExactlyOnce(topology: Topology, inputCount: number) {
  const names = topicNames(topology);
  const kafka = createKafka(topology.kafka, 'test');
  const registry = createRegistry(topology.schemaRegistry);
  await waitFor('every input enriched', async () => ((await readAll(kafka, names.enriched)).length >= inputCount ? true : undefined));
  await new Promise((r) => setTimeout(r, 2_000));
  const enrichedCodec = new EventCodec<EnricherOutput>(registry, names.enriched, 'enriched');
  const enriched = new Map<string, EnricherOutput>();
  for (const r of await readAll(kafka, names.enriched)) {
    const e = await enrichedCodec.decode(r.message.value);
    enriched.set(e.EventId, e);
  }
  expect(enriched.size).toBe(inputCount);
  const flagged = [...enriched.values()].filter((e) => e.IsAnomaly);
  expect(flagged.length).toBeGreaterThan(10);

  // the input partitions in offset order: what each enricher task saw
  const normalized = new EventCodec<NormalizedEvent>(registry, names.normalized, 'normalized');
  const partitions = new Map<number, EnricherOutput[]>();
  for (const r of await readAll(kafka, names.normalized)) {
    const { EventId } = await normalized.decode(r.message.value);
    partitions.set(r.partition, [...(partitions.get(r.partition) ?? []), enriched.get(EventId) as EnricherOutput]);
  }
  const expected = [...partitions.values()].flatMap((events) => recomputeIncidents(events, topology));

  const incidentCodec = new EventCodec<Incident>(registry, names.incidents, 'incident');
  const committed = await Promise.all(
    (await readAll(kafka, names.incidents)).map(async (r) => ({
      key: r.message.key?.toString(),
      incident: await incidentCodec.decode(r.message.value),
    })),
  );
  for (const { key, incident } of committed) expect(key).toBe(incident.IncidentId);
  const actual = committed.map(({ incident }) => incident);

  // no duplicate revision, and nothing missing or extra
  const revisions = actual.map((i) => i.EventId);
  expect(new Set(revisions).size).toBe(revisions.length);
  expect(actual.length).toBe(expected.length);
  const byRevision = new Map(actual.map((i) => [i.EventId, i]));
  for (const want of expected) {
    const got = byRevision.get(want.EventId);
    expect(got, want.EventId).toBeDefined();
    expect(pick(got as Incident)).toEqual(want);
    expect(got?.Reasons.length).toBeGreaterThan(0);
    // flagged by score means above the model's own threshold; a never-seen sensitive template may score anything
    if (got?.Reasons.includes('score')) expect(got.MaxScore).toBeGreaterThan(0);
    else expect(Number.isFinite(got?.MaxScore)).toBe(true);
    expect(got?.TopFeatures.length).toBe(3);
  }
  console.info(
    `incidents: ${new Set(actual.map((i) => i.IncidentId)).size} from ${flagged.length} flagged events, ${actual.length} records (${actual.filter((i) => i.Status === 'closed').length} closed), largest count ${Math.max(...actual.map((i) => i.Count))}`,
  );
  // the bursts made incidents of more than one event, some of them closed by the watermark
  expect(actual.some((i) => i.Count >= 2)).toBe(true);
  expect(actual.some((i) => i.Status === 'closed')).toBe(true);
  expect(new Set(actual.map((i) => i.IncidentId)).size).toBeGreaterThan(1);
}

type Expected = Pick<
  Incident,
  | 'IncidentId'
  | 'EventId'
  | 'Revision'
  | 'Status'
  | 'EntityKey'
  | 'TemplateId'
  | 'WindowStart'
  | 'Count'
  | 'FirstSeen'
  | 'LastSeen'
  | 'ExampleEventIds'
>;

function pick(i: Expected): Expected {
  const { IncidentId, EventId, Revision, Status, EntityKey, TemplateId, WindowStart, Count, FirstSeen, LastSeen, ExampleEventIds } = i;
  return { IncidentId, EventId, Revision, Status, EntityKey, TemplateId, WindowStart, Count, FirstSeen, LastSeen, ExampleEventIds };
}

/**
 * The oracle, written from the documented policy rather than the enricher's code: in one input
 * partition's order, an incident window closes once the partition's newest event time minus the
 * log type's grace and the allowed lateness reaches its end (one source stream here); an anomaly
 * opens its incident (revision 1), writes an update whenever its count doubles, and the close
 * writes the final revision.
 */
function recomputeIncidents(events: EnricherOutput[], topology: Topology): Expected[] {
  const { graceMs, allowedLatenessMs } = topology.enricher;
  const open = new Map<string, Expected & { emitted: number }>();
  const out: Expected[] = [];
  const write = (i: Expected & { emitted: number }, status: Incident['Status']) => {
    i.Revision++;
    i.emitted = i.Count;
    out.push({
      ...pick({ ...i, Status: status, EventId: `${i.IncidentId}-${i.Revision}` }),
      ExampleEventIds: [...i.ExampleEventIds],
    });
  };
  let newest = Number.MIN_SAFE_INTEGER;
  for (const e of events) {
    expect(e.LogType).toBe('generated');
    newest = Math.max(newest, e.TimeGenerated);
    const watermark = newest - graceMs - allowedLatenessMs;
    for (const i of [...open.values()].sort((a, b) => a.WindowStart - b.WindowStart || (a.IncidentId < b.IncidentId ? -1 : 1))) {
      if (i.WindowStart + WINDOW > watermark) continue;
      write(i, 'closed');
      open.delete(i.IncidentId);
    }
    if (!e.IsAnomaly) continue;
    const own = Math.floor(e.TimeGenerated / WINDOW) * WINDOW;
    const start = own + WINDOW <= watermark ? Math.floor(watermark / WINDOW) * WINDOW : own;
    const id = createHash('sha256').update(`${e.EntityKey}\u0000${e.TemplateId}\u0000${start}`).digest('hex').slice(0, 32);
    let i = open.get(id);
    if (!i) {
      i = {
        IncidentId: id,
        EventId: '',
        Revision: 0,
        Status: 'open',
        EntityKey: e.EntityKey,
        TemplateId: e.TemplateId as string,
        WindowStart: start,
        Count: 0,
        FirstSeen: e.TimeGenerated,
        LastSeen: e.TimeGenerated,
        ExampleEventIds: [],
        emitted: 0,
      };
      open.set(id, i);
    }
    i.Count++;
    i.FirstSeen = Math.min(i.FirstSeen, e.TimeGenerated);
    i.LastSeen = Math.max(i.LastSeen, e.TimeGenerated);
    if (i.ExampleEventIds.length < EXAMPLES) i.ExampleEventIds.push(e.EventId);
    if (i.Count === 1) write(i, 'open');
    else if (i.Count >= 2 * i.emitted) write(i, 'updated');
  }
  return out;
}
