import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiemStreamError } from '../../src/errors.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { rootLogger } from '../../src/observability/logger.js';
import type { sinkSchema } from '../../src/sinks/config.js';
import { openSinkWriter, sinkGroupId } from '../../src/sinks/registry.js';
import type { SinkWriter } from '../../src/sinks/sink-module.js';
import {
  cloudwatchDestination,
  sentinelDestination,
  splunkDestination,
  syslogDestination,
  type TestDestination,
} from './sink-destinations.js';
import { committedOffsets, countBy, enrichedEvent, produceEvents, runSinkInProcess, sinkTestbed, until } from './sink-harness.js';

/**
 * The contract every destination must meet, run against each one's real receiver or faithful
 * emulator: open/close, batches, parallel writes, a receiver restart without loss, and the
 * checkpoint case (ack A, B, D; fail C, E; restart → C, D, E come back, nothing committed past C).
 */
const dir = mkdtempSync(join(tmpdir(), 'siem-sink-conformance-'));
const factories: Array<[string, () => Promise<TestDestination>]> = [
  ['sentinel', () => sentinelDestination(join(dir, 'sentinel'))],
  ['splunk-hec', () => splunkDestination()],
  ['syslog-tcp', () => syslogDestination(dir, 'tcp')],
  ['syslog-tls', () => syslogDestination(dir, 'tls')],
  ['cloudwatch-logs (moto)', () => cloudwatchDestination()],
];

describe.each(factories)('sink conformance: %s', (_name, factory) => {
  let destination: TestDestination;
  beforeAll(async () => {
    destination = await factory();
  });
  afterAll(async () => {
    await destination?.stop();
  });

  const received = async (ids: Iterable<string>) => {
    const wanted = new Set(ids);
    return (await destination.receivedIds()).filter((id) => wanted.has(id));
  };

  it('opens and closes a writer, and starts and stops the runtime with nothing to do', async () => {
    const bed = await sinkTestbed((id) => [destination.config(id)]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const writer = await openSinkWriter(config, rootLogger);
    expect(writer.limits.maxBatchBytes).toBeGreaterThan(0);
    await writer.close();
    const sink = await runSinkInProcess(bed, config);
    await sink.stop();
    expect(await committedOffsets(bed.rd, sinkGroupId(config), bed.names.enriched)).toSatisfy((m: Map<number, string>) =>
      [...m.values()].every((o) => o === '-1'),
    );
  });

  it('delivers every event of several batches once and commits to the end', async () => {
    const bed = await sinkTestbed((id) => [destination.config(id, { batch: { maxRecords: 50, maxLatencyMs: 200 } })]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 400 }, (_, i) => enrichedEvent(i)),
    );
    const sink = await runSinkInProcess(bed, config);
    await until('every event delivered', async () => (new Set(await received(ids)).size === ids.length ? true : undefined));
    await sink.stop();
    const arrivals = await received(ids);
    expect(arrivals).toHaveLength(ids.length);
    const committed = await committedOffsets(bed.rd, sinkGroupId(config), bed.names.enriched);
    const total = [...committed.values()].reduce((n, o) => n + Number(o), 0);
    expect(total).toBe(ids.length);
    expect(await readAll(bed.kafka, bed.names.dlq(config.name))).toHaveLength(0);
  });

  it('writes batches in parallel without losing or repeating one', async () => {
    const bed = await sinkTestbed((id) => [
      destination.config(id, { maxInFlightBatches: 6, partitionsConsumedConcurrently: 3, batch: { maxRecords: 10, maxLatencyMs: 100 } }),
    ]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 600 }, (_, i) => enrichedEvent(i)),
    );
    let concurrent = 0;
    let peak = 0;
    const sink = await runSinkInProcess(bed, config, (inner) => ({
      limits: inner.limits,
      encode: (r) => inner.encode(r),
      write: async (key, payloads, signal) => {
        peak = Math.max(peak, ++concurrent);
        try {
          return await inner.write(key, payloads, signal);
        } finally {
          concurrent--;
        }
      },
      close: () => inner.close(),
    }));
    await until('every event delivered', async () => (new Set(await received(ids)).size === ids.length ? true : undefined));
    await sink.stop();
    expect(await received(ids)).toHaveLength(ids.length);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(6);
  });

  it('keeps writing through a restart of the receiver without losing an event', async () => {
    const bed = await sinkTestbed((id) => [destination.config(id, { batch: { maxRecords: 20, maxLatencyMs: 100 } })]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const first = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 200 }, (_, i) => enrichedEvent(i)),
    );
    const sink = await runSinkInProcess(bed, config);
    await until('the first events delivered', async () => (new Set(await received(first)).size === first.length ? true : undefined));
    await destination.restart();
    const second = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 200 }, (_, i) => enrichedEvent(1_000 + i)),
    );
    const all = [...first, ...second];
    await until('every event delivered after the restart', async () =>
      new Set(await received(all)).size === all.length ? true : undefined,
    );
    await sink.stop();
    const duplicates = (await received(all)).length - all.length;
    process.stdout.write(`[conformance ${destination.name}] through a receiver restart: ${all.length} events, ${duplicates} redelivered\n`);
    expect(new Set(await received(all)).size).toBe(all.length);
  });

  it('checkpoint: ack A, B, D, fail C and E, restart → C, D, E come back and nothing is committed past C', async () => {
    const bed = await sinkTestbed(
      (id) => [
        destination.config(id, {
          maxInFlightBatches: 5,
          batch: { maxRecords: 1, maxLatencyMs: 50 },
          retry: { attempts: 3, baseMs: 200, capMs: 400 },
        }),
      ],
      1,
    );
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const [a, b, c, d, e] = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 5 }, (_, i) => enrichedEvent(i)),
    );
    const failing = new Set([c, e] as string[]);
    const first = await runSinkInProcess(bed, config, (inner) => failFor(inner, failing, 3));
    await until('A, B and D acknowledged', async () => (new Set(await received([a, b, d] as string[])).size === 3 ? true : undefined));
    const failure = await first.failed.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SiemStreamError);
    expect((failure as SiemStreamError).code).toBe('DESTINATION_UNAVAILABLE');
    await first.stop();
    const committed = await committedOffsets(bed.rd, sinkGroupId(config), bed.names.enriched);
    expect(committed.get(0)).toBe('2'); // offset of C: A and B are committed, nothing after
    expect(await received([c, e] as string[])).toHaveLength(0);

    const before = countBy(await received([a, b, c, d, e] as string[]));
    const second = await runSinkInProcess(bed, config);
    await until('C, D and E delivered after the restart', async () =>
      new Set(await received([c, d, e] as string[])).size === 3 ? true : undefined,
    );
    await second.stop();
    const after = countBy(await received([a, b, c, d, e] as string[]));
    const redelivered = [a, b, c, d, e].filter((id) => (after.get(id as string) ?? 0) > (before.get(id as string) ?? 0));
    expect(redelivered).toEqual([c, d, e]);
    expect((await committedOffsets(bed.rd, sinkGroupId(config), bed.names.enriched)).get(0)).toBe('5');
  });
});

/**
 * The destination's writer, except that batches holding one of `ids` fail as retriable, every time;
 * those failures are answered only once `okBefore` other batches were acknowledged, so the order
 * "A, B, D acknowledged, then C gives up" does not depend on timing.
 */
function failFor(inner: SinkWriter, ids: Set<string>, okBefore: number): SinkWriter<{ id: string; payload: unknown }> {
  let acknowledged = 0;
  const enoughAcks = async () => {
    const deadline = Date.now() + 30_000;
    while (acknowledged < okBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  return {
    limits: inner.limits,
    encode: (record) => {
      const encoded = inner.encode(record);
      return { ...encoded, payload: { id: record.event.EventId, payload: encoded.payload } };
    },
    write: async (key, items, signal) => {
      if (items.some((i) => ids.has(i.id))) {
        await enoughAcks();
        return { kind: 'retry', error: new SiemStreamError('DESTINATION_UNAVAILABLE', 'injected failure of C or E') };
      }
      const outcome = await inner.write(
        key,
        items.map((i) => i.payload),
        signal,
      );
      if ((Array.isArray(outcome) ? outcome : [outcome]).every((o) => o.kind === 'ok')) acknowledged++;
      return outcome;
    },
    close: () => inner.close(),
  };
}
