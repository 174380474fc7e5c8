import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { rootLogger } from '../../src/observability/logger.js';
import type { sinkSchema } from '../../src/sinks/config.js';
import { deliverBatch } from '../../src/sinks/runtime/deliver-batch.js';
import { sentinelSinkSchema } from '../../src/sinks/sentinel/config.js';
import { LogsIngestionWriter } from '../../src/sinks/sentinel/logs-ingestion-writer.js';
import { exited, spawnStage } from '../support/stage-process.js';
import {
  committedOffsets,
  countBy,
  enrichedEvent,
  produceEvents,
  runSinkInProcess,
  sentinelConfig,
  sinkTestbed,
  startTestEmulator,
  until,
} from './sink-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'siem-sentinel-faults-'));
const emulators: LogsIngestionEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((e) => e.stop()));
});

async function emulator(name: string, limits: { maxDecompressedBytes?: number } = {}) {
  const e = await startTestEmulator(join(dir, name), limits);
  emulators.push(e);
  return e;
}

const config0 = (bed: { topology: { sinks: Array<{ name: string; groupId?: string | undefined }> } }) =>
  bed.topology.sinks[0] as { groupId: string };
const idsIn = (e: LogsIngestionEmulator) => e.store.records().map((r) => String(r.record.EventId));

describe('Sentinel sink under faults', () => {
  it('honours Retry-After on 429 and retries 5xx and connection resets until the batch is accepted', async () => {
    const e = await emulator('retry-after');
    const config = sentinelSinkSchema.parse({
      ...sentinelConfig(e, 'retry'),
      retry: { attempts: 10, baseMs: 50, capMs: 200 },
    });
    const writer = new LogsIngestionWriter(config, { stage: 'sentinel', logger: rootLogger });
    const rows = Array.from({ length: 20 }, (_, i) =>
      writer.encode({ topic: 't', partition: 0, offset: String(i), event: enrichedEvent(i, { EventSchema: 'Other' }) }),
    );
    e.faults.throttle('Custom-SiemEvent', 2, 1);
    const started = Date.now();
    const throttled = await deliverBatch(writer, 'Custom-SiemEvent', rows, {
      retry: config.retry,
      stage: 'sentinel',
      signal: new AbortController().signal,
    });
    const waited = Date.now() - started;
    expect(throttled.delivered).toHaveLength(20);
    expect(waited).toBeGreaterThanOrEqual(2_000); // two answers of "Retry-After: 1", each waited out in full
    e.faults.failWith('Custom-SiemEvent', 2, 503); // one 5xx fault per stream at a time: a second call replaces the first
    e.faults.dropConnections('Custom-SiemEvent', 1);
    const flaky = await deliverBatch(writer, 'Custom-SiemEvent', rows, {
      retry: config.retry,
      stage: 'sentinel',
      signal: new AbortController().signal,
    });
    expect(flaky.delivered).toHaveLength(20);
    const stats = e.store.stats();
    expect(stats.rejections.byStatus).toMatchObject({ '429': 2 });
    expect(stats.requests.byStream['Custom-SiemEvent']).toBe(2 + 1 + 3 + 1);
    expect(e.store.records()).toHaveLength(40);
    await writer.close();
  });

  it('sends the records of a batch the API refuses for good (400) to the DLQ with the answer, and goes on', async () => {
    const e = await emulator('permanent');
    const bed = await sinkTestbed(
      (id) => [sentinelConfig(e, id, { batch: { maxRecords: 10, maxLatencyMs: 100 }, maxInFlightBatches: 1 })],
      1,
    );
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    e.faults.failWith('Custom-SiemEvent', 1, 400);
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 30 }, (_, i) => enrichedEvent(i, { EventSchema: 'Other' })),
    );
    const sink = await runSinkInProcess(bed, config);
    await until('20 events accepted', () => (idsIn(e).length >= 20 ? true : undefined));
    const dlq = await until('10 records in the DLQ', async () => {
      const records = await readAll(bed.kafka, bed.names.dlq(config.name));
      return records.length >= 10 ? records : undefined;
    });
    await sink.stop();
    expect(dlq).toHaveLength(10);
    const headers = readHeaders(dlq[0]?.message.headers);
    expect(headers[DLQ_HEADER.errorCode]).toBe('DESTINATION_REJECTED');
    expect(headers[DLQ_HEADER.errorMessage]).toContain('HTTP 400');
    const dead = await Promise.all(dlq.map(async (m) => (await bed.codec.decode(m.message.value)).EventId));
    expect(new Set([...dead, ...idsIn(e)])).toEqual(new Set(ids));
    expect((await committedOffsets(bed.rd, (config as { groupId: string }).groupId, bed.names.enriched)).get(0)).toBe('30');
  });

  it('retries a request that timed out', async () => {
    const e = await emulator('timeout');
    const config = sentinelSinkSchema.parse({
      ...sentinelConfig(e, 'timeout'),
      requestTimeoutMs: 500,
      retry: { attempts: 10, baseMs: 50, capMs: 200 },
    });
    const writer = new LogsIngestionWriter(config, { stage: 'sentinel', logger: rootLogger });
    const rows = Array.from({ length: 5 }, (_, i) =>
      writer.encode({ topic: 't', partition: 0, offset: String(i), event: enrichedEvent(i, { EventSchema: 'Other' }) }),
    );
    e.faults.setLatency('Custom-SiemEvent', 2_000);
    setTimeout(() => e.faults.clear('Custom-SiemEvent'), 1_200);
    const result = await deliverBatch(writer, 'Custom-SiemEvent', rows, {
      retry: config.retry,
      stage: 'sentinel',
      signal: new AbortController().signal,
    });
    expect(result.delivered).toHaveLength(5);
    expect(e.store.stats().requests.byStream['Custom-SiemEvent']).toBeGreaterThanOrEqual(2);
    // a timed-out request may still have been stored: any extra rows are the same EventIds again
    expect(new Set(idsIn(e))).toEqual(new Set(rows.map((r) => String(r.payload.EventId))));
    await writer.close();
  });

  it('splits a batch the API answers 413 until the halves fit, and sends a record that never fits to the DLQ', async () => {
    // an API that takes at most 300 kB uncompressed: the sink's 1 MB batches are too large for it
    const e = await emulator('split', { maxDecompressedBytes: 300_000 });
    const bed = await sinkTestbed((id) => [
      sentinelConfig(e, id, { schemaGuard: { oversizedFields: 'report' }, batch: { maxLatencyMs: 2_000 }, maxInFlightBatches: 1 }),
    ]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const padding = 'x'.repeat(1_500);
    const events = Array.from({ length: 600 }, (_, i) => enrichedEvent(i, { EventSchema: 'Other', AdditionalFields: { padding } }));
    const huge = enrichedEvent(9_999, { EventSchema: 'Other', AdditionalFields: { a: 'y'.repeat(200_000), b: 'z'.repeat(200_000) } });
    const ids = await produceEvents(bed.rd, bed.codec, [...events, huge]);
    const sink = await runSinkInProcess(bed, config);
    await until('every fitting event accepted', () => (new Set(idsIn(e)).size >= events.length ? true : undefined));
    const dlq = await until('the oversized record in the DLQ', async () => {
      const records = await readAll(bed.kafka, bed.names.dlq(config.name));
      return records.length > 0 ? records : undefined;
    });
    await sink.stop();
    expect(new Set(idsIn(e))).toEqual(new Set(ids.slice(0, events.length)));
    expect(idsIn(e)).toHaveLength(events.length);
    expect(e.store.stats().rejections.byStatus['413']).toBeGreaterThanOrEqual(3);
    expect(dlq).toHaveLength(1);
    const headers = readHeaders(dlq[0]?.message.headers);
    expect(headers[DLQ_HEADER.errorCode]).toBe('RECORD_TOO_LARGE');
    expect(headers[DLQ_HEADER.errorMessage]).toContain('413');
    expect((await bed.codec.decode(dlq[0]?.message.value ?? null)).EventId).toBe(huge.EventId);
  });

  it('survives 429 storms, 5xx, connection resets and SIGKILL mid-upload: every event arrives, duplicates only by EventId', async () => {
    const e = await emulator('kill');
    const bed = await sinkTestbed((id) => [
      sentinelConfig(e, id, {
        maxInFlightBatches: 2,
        commitIntervalMs: 1_000,
        batch: { maxLatencyMs: 500 },
        retry: { attempts: 30, baseMs: 200, capMs: 2_000 },
      }),
    ]);
    const events = Array.from({ length: 6_000 }, (_, i) =>
      enrichedEvent(i, { AdditionalFields: { note: `event ${i} ${'n'.repeat(600)}` } }),
    );
    const ids = await produceEvents(bed.rd, bed.codec, events);
    const first = spawnStage(bed.topology, 'sentinel');
    await until('a quarter of the events accepted', () => (idsIn(e).length >= ids.length / 4 ? true : undefined), 120_000);
    e.faults.throttle('*', 6, 1);
    e.faults.failWith('*', 4, 503);
    e.faults.dropConnections('*', 2, true); // accepted, then the answer is lost: a redelivery
    e.faults.setLatency('*', 400); // uploads stay in flight long enough to be killed mid-way
    await until('half of the events accepted', () => (idsIn(e).length >= ids.length / 2 ? true : undefined), 120_000);
    first.kill('SIGKILL');
    expect((await exited(first)).signal).toBe('SIGKILL');
    const atKill = idsIn(e).length;
    const committedAtKill = [...(await committedOffsets(bed.rd, config0(bed).groupId, bed.names.enriched)).values()].reduce(
      (n, o) => n + Math.max(0, Number(o)),
      0,
    );

    const second = spawnStage(bed.topology, 'sentinel');
    await until('every event accepted', () => (new Set(idsIn(e)).size >= ids.length ? true : undefined), 180_000);
    second.kill('SIGTERM');
    expect((await exited(second)).code).toBe(0);

    const arrivals = idsIn(e);
    const counts = countBy(arrivals);
    const produced = new Set(ids);
    expect([...counts.keys()].every((id) => produced.has(id))).toBe(true);
    expect(counts.size).toBe(ids.length);
    const duplicates = arrivals.length - ids.length;
    const stats = e.store.stats();
    process.stdout.write(
      `[sentinel faults] ${ids.length} events, ${arrivals.length} accepted rows, ${duplicates} duplicates (redeliveries by EventId: the 2 batches whose answer was lost, and what the killed process had not committed) — ` +
        `${atKill} accepted and ${committedAtKill} committed before SIGKILL; 429s: ${stats.rejections.byStatus['429'] ?? 0}, 5xx: ${(stats.rejections.byStatus['503'] ?? 0) + (stats.rejections.byStatus['500'] ?? 0)}, resets: ${stats.connectionsDropped}\n`,
    );
    expect(stats.rejections.byStatus['429']).toBe(6);
    expect(stats.rejections.byStatus['503']).toBe(4);
    expect(stats.connectionsDropped).toBe(2);
    expect(await readAll(bed.kafka, bed.names.dlq('sentinel'))).toHaveLength(0);
  });

  it('pauses consumption when the destination is slow instead of buffering without limit', async () => {
    const e = await emulator('slow');
    const bed = await sinkTestbed((id) => [sentinelConfig(e, id, { maxInFlightBatches: 1, batch: { maxRecords: 50, maxLatencyMs: 100 } })]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 1_500 }, (_, i) => enrichedEvent(i)),
    );
    e.faults.setLatency('*', 1_000);
    const sink = await runSinkInProcess(bed, config);
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 500));
      samples.push(sink.stats().bufferedRecords);
    }
    const { maxBufferedRecords } = sink.stats();
    e.faults.clear();
    await until('every event accepted', () => (new Set(idsIn(e)).size >= ids.length ? true : undefined));
    await sink.stop();
    // (1 in flight + 1 more) batches of 50; the producer side had 1,500 records ready the whole time
    expect(maxBufferedRecords).toBe(100);
    expect(Math.max(...samples)).toBeLessThanOrEqual(maxBufferedRecords);
    expect(Math.max(...samples)).toBeGreaterThan(0);
  });
});
