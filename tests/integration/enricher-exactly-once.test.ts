import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import type { Kafka } from '../../src/kafka/client.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll, type TopicRecord } from '../../src/kafka/read-topic.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../../src/schemas/events.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import type { EnricherOutput } from '../../src/stages/enricher/enriched-fields.js';
import { labelledTraffic } from '../../src/stages/enricher/training/labelled-traffic.js';
import { produceNormalizedEvents } from '../support/produce-events.js';
import { crashBeforeCommit, exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const CRASHES = 4;
const MIN = 60_000;

/**
 * Kafka Streams' EOS check: SIGKILL the enricher repeatedly between sending a transaction's
 * outputs, changelog and offsets and committing it; afterwards recompute the window aggregates
 * from the input and compare them, event by event, with what a read_committed reader sees.
 */
describe('enricher exactly-once window state across repeated SIGKILLs', () => {
  it('continues window counts from the changelog and never duplicates output', async () => {
    const topology = testTopology({ kafka: { sessionTimeoutMs: 6_000 }, enricher: { maxRecordsPerTransaction: 100 } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const registry = createRegistry(topology.schemaRegistry);
    const input = await produceNormalized(
      kafka,
      new EventCodec<NormalizedEvent>(registry, names.normalized, 'normalized'),
      names.normalized,
    );

    for (let crash = 1; crash <= CRASHES; crash++) {
      const crashed = await crashBeforeCommit(topology, 'enricher', 3);
      expect(crashed.signal, crashed.log).toBe('SIGKILL');
    }
    const committedBeforeFinal = (await readAll(kafka, names.enriched)).length;
    expect(committedBeforeFinal).toBeGreaterThan(0);
    expect(committedBeforeFinal).toBeLessThan(input.length);

    const final = spawnStage(topology, 'enricher');
    try {
      await expectWindowsExactlyOnce(kafka, topology, input);

      // the one value that is not Avro went to the DLQ, once, with its context
      const dlq = await readAll(kafka, names.dlq('enricher'));
      expect(dlq).toHaveLength(1);
      expect(readHeaders(dlq[0]?.message.headers)[DLQ_HEADER.errorCode]).toBe('SCHEMA_MISMATCH');

      // the crashes really left aborted work behind, which read_committed readers never saw
      expect((await readAll(kafka, names.enriched, { readUncommitted: true })).length).toBeGreaterThan(input.length);
      expect((await readAll(kafka, names.enricherChangelog)).length).toBeGreaterThan(0);
    } finally {
      final.kill('SIGTERM');
      await exited(final);
    }
  });

  it('hands partitions between two enrichers while one is SIGKILLed repeatedly (rebalances)', async () => {
    const topology = testTopology({ kafka: { sessionTimeoutMs: 6_000 }, enricher: { maxRecordsPerTransaction: 100 } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const codec = new EventCodec<NormalizedEvent>(createRegistry(topology.schemaRegistry), names.normalized, 'normalized');
    const events = trafficEvents(7, 'rebalance');
    const slices = CRASHES + 1;
    const steady = spawnStage(topology, 'enricher');
    try {
      for (let round = 0; round < slices; round++) {
        await produceNormalizedEvents(
          kafka,
          codec,
          events.slice(Math.floor((round * events.length) / slices), Math.floor(((round + 1) * events.length) / slices)),
        );
        if (round === slices - 1) break;
        // the second member joins (a rebalance), works, and dies between send and commit, or is killed
        const flaky = await crashBeforeCommit(topology, 'enricher', 3, 30_000);
        expect(flaky.signal, flaky.log).toBe('SIGKILL');
      }
      await expectWindowsExactlyOnce(kafka, topology, events);
    } finally {
      steady.kill('SIGTERM');
      await exited(steady);
    }
  });
});

/** Waits for every input to be enriched, then compares each event's window counts with the oracle's. */
async function expectWindowsExactlyOnce(kafka: Kafka, topology: Topology, input: NormalizedEvent[]) {
  const names = topicNames(topology);
  const registry = createRegistry(topology.schemaRegistry);
  await waitFor('every input enriched', async () => ((await readAll(kafka, names.enriched)).length >= input.length ? true : undefined));
  await new Promise((r) => setTimeout(r, 2_000));
  const output = await decodeAll(
    await readAll(kafka, names.enriched),
    new EventCodec<EnricherOutput>(registry, names.enriched, 'enriched'),
  );

  expect(output).toHaveLength(input.length);
  expect(new Set(output.map((e) => e.EventId)).size).toBe(input.length);

  const expected = recompute(input, topology);
  let compared = 0;
  for (const event of output) {
    const want = expected.get(event.EventId);
    expect(want, event.EventId).toBeDefined();
    expect({ id: event.EventId, m1: Number(event.WindowCounts?.m1), m5: Number(event.WindowCounts?.m5) }).toEqual({
      id: event.EventId,
      ...want,
    });
    expect(event.LateEvent).toBe(false);
    expect(event.ModelVersion).toMatch(/^iforest-/);
    expect(Number.isFinite(event.AnomalyScore)).toBe(true);
    compared++;
  }
  expect(compared).toBe(input.length);
}

async function produceNormalized(kafka: Kafka, codec: EventCodec<NormalizedEvent>, topic: string): Promise<NormalizedEvent[]> {
  const events = trafficEvents(99, 'eos');
  await produceNormalizedEvents(kafka, codec, events);
  const producer = kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'SrcIpAddr:10.0.0.1', value: 'not avro' }] });
  await producer.disconnect();
  return events;
}

/** Half an hour of labelled traffic (about 3,000 events, one incident of each kind), in event-time order. */
function trafficEvents(seed: number, idPrefix: string): NormalizedEvent[] {
  return labelledTraffic({ seed, hosts: 40, users: 20, durationMs: 30 * MIN, incidentsPerKind: 1 }).map((x, i) => ({
    ...x.event,
    EventId: `${idPrefix}-${i}`,
  }));
}

/**
 * The oracle, independent of the enricher's code: per input partition in offset order, an
 * event's m1 count is the number of its entity's events so far in its minute; its m5 count the
 * number so far in the oldest 5-minute hopping window holding it. (The input is in event-time
 * order, so nothing is late.)
 */
function recompute(events: NormalizedEvent[], topology: Topology): Map<string, { m1: number; m5: number }> {
  expect(topology.enricher.windows.map((w) => [w.name, w.sizeMs, w.advanceMs ?? w.sizeMs])).toContainEqual(['m5', 5 * MIN, MIN]);
  const seen = new Map<string, number[]>();
  const out = new Map<string, { m1: number; m5: number }>();
  for (const e of events) {
    const times = seen.get(e.EntityKey) ?? [];
    times.push(e.TimeGenerated);
    seen.set(e.EntityKey, times);
    const minute = Math.floor(e.TimeGenerated / MIN) * MIN;
    const m5Start = minute - 4 * MIN;
    out.set(e.EventId, {
      m1: times.filter((t) => t >= minute && t < minute + MIN).length,
      m5: times.filter((t) => t >= m5Start && t < m5Start + 5 * MIN).length,
    });
  }
  return out;
}

async function decodeAll(records: TopicRecord[], codec: EventCodec<EnricherOutput>): Promise<EnricherOutput[]> {
  return Promise.all(records.map((r) => codec.decode(r.message.value)));
}
