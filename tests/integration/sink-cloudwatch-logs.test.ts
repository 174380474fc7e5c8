import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SiemStreamError } from '../../src/errors.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { PUT_LOG_EVENTS } from '../../src/sinks/cloudwatch-logs/limits.js';
import type { SinkConfig } from '../../src/sinks/config.js';
import { cloudwatchClient, eventIdOfMessage, storedLogEvents } from '../support/cloudwatch-logs.js';
import { type CloudWatchProxy, cloudwatchProxy } from '../support/cloudwatch-proxy.js';
import { countBy, enrichedEvent, produceEvents, runSinkInProcess, sinkTestbed, until } from './sink-harness.js';

/**
 * The CloudWatch Logs sink against moto (the stack's `cloudwatch` unit), through a proxy that
 * records every PutLogEvents call on the wire and can throttle: the limits of a call are asserted
 * on what was really sent, and what arrived is read back from moto.
 */
const HOUR = 3_600_000;
let proxy: CloudWatchProxy;
const stack = () => inject('stack').cloudwatch;
const client = () => cloudwatchClient(stack());

beforeAll(async () => {
  proxy = await cloudwatchProxy(stack().endpoint);
});
afterAll(async () => {
  await proxy?.stop();
});

function sinkConfig(id: string, extra: Record<string, unknown> = {}) {
  const s = stack();
  return {
    name: 'cloudwatch',
    type: 'cloudwatch-logs',
    groupId: `test-${id}-cloudwatch`,
    region: s.region,
    endpoint: proxy.url,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    logGroup: `/siem-limits/${id}`,
    logStream: 'siem-stream',
    retry: { attempts: 20, baseMs: 100, capMs: 1_000 },
    batch: { maxLatencyMs: 2_000 },
    ...extra,
  };
}

const putsTo = (group: string) => proxy.puts.filter((p) => p.group.startsWith(group) && !p.fault);
const storedIds = async (prefix: string) => (await storedLogEvents(client(), prefix)).map((e) => eventIdOfMessage(e.message));

async function deliverAll(
  bed: Awaited<ReturnType<typeof sinkTestbed>>,
  ids: string[],
  prefix: string,
  wrap?: Parameters<typeof runSinkInProcess>[2],
) {
  const sink = await runSinkInProcess(bed, bed.topology.sinks[0] as SinkConfig, wrap);
  await until('every event stored', async () => (new Set(await storedIds(prefix)).size >= ids.length ? true : undefined), 180_000);
  await sink.stop();
  const counts = countBy(await storedIds(prefix));
  expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  expect(counts.size).toBe(ids.length);
}

function expectWithinLimits(puts: typeof proxy.puts) {
  for (const put of puts) {
    expect(put.events.length).toBeLessThanOrEqual(PUT_LOG_EVENTS.maxBatchEvents);
    expect(put.bytes).toBeLessThanOrEqual(PUT_LOG_EVENTS.maxBatchBytes);
    const times = put.events.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThan(PUT_LOG_EVENTS.maxSpanMs);
  }
}

describe('CloudWatch Logs sink against moto', () => {
  it('moto refuses a call whose events are out of time order (so the ordering tests below mean something)', async () => {
    const group = `/siem-limits/order-${Date.now()}`;
    const c = client();
    await c.send(new CreateLogGroupCommand({ logGroupName: group }));
    await c.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    const now = Date.now();
    const unordered = [
      { timestamp: now, message: 'b' },
      { timestamp: now - 1_000, message: 'a' },
    ];
    await expect(c.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: unordered }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('fills calls up to 1 MiB as CloudWatch counts it (message bytes + 26 per event) and never past it', async () => {
    // a latency bound far away: batches close on bytes, not on how fast a loaded machine consumes
    const bed = await sinkTestbed((id) => [sinkConfig(id, { batch: { maxLatencyMs: 30_000 } })]);
    const prefix = `/siem-limits/${bed.id}`;
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 3_000 }, (_, i) => enrichedEvent(i)),
    );
    await deliverAll(bed, ids, prefix);
    const puts = putsTo(prefix);
    expectWithinLimits(puts);
    const largest = Math.max(...puts.map((p) => p.bytes));
    process.stdout.write(`[cloudwatch] 1 MiB: ${ids.length} events in ${puts.length} calls, largest ${largest} bytes\n`);
    expect(puts.length).toBeGreaterThanOrEqual(3);
    expect(largest).toBeGreaterThan(PUT_LOG_EVENTS.maxBatchBytes - 4_096);
    expect(await readAll(bed.kafka, bed.names.dlq('cloudwatch'))).toHaveLength(0);
  });

  it('cuts calls at 10,000 events when the events are small enough for the count to bind', async () => {
    const bed = await sinkTestbed((id) => [sinkConfig(id, { batch: { maxRecords: 50_000, maxLatencyMs: 120_000 } })], 1);
    const prefix = `/siem-limits/${bed.id}`;
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 20_000 }, (_, i) => enrichedEvent(i)),
    );
    // a full event is ~1 KB, so 1 MiB binds long before 10,000 events; this decorator keeps only
    // {"EventId"} (≈76 bytes counted) so that the count limit is the one reached
    await deliverAll(bed, ids, prefix, (inner) => ({
      limits: inner.limits,
      encode: (record) => {
        const encoded = inner.encode(record);
        const message = JSON.stringify({ EventId: record.event.EventId });
        return { ...encoded, payload: { ...(encoded.payload as object), message }, bytes: Buffer.byteLength(message) + 26 };
      },
      write: (key, payloads, signal) => inner.write(key, payloads, signal),
      close: () => inner.close(),
    }));
    const puts = putsTo(prefix);
    expectWithinLimits(puts);
    const counts = puts.map((p) => p.events.length);
    process.stdout.write(`[cloudwatch] 10,000 events: calls of ${counts.join(', ')} events\n`);
    // the latency bound is far away, so only the count closes a batch: two full calls, whatever the machine's load
    expect(counts).toEqual([PUT_LOG_EVENTS.maxBatchEvents, PUT_LOG_EVENTS.maxBatchEvents]);
  });

  it('puts each call in time order and keeps it within 24 hours when events span days, newest produced first', async () => {
    const bed = await sinkTestbed((id) => [sinkConfig(id)]);
    const prefix = `/siem-limits/${bed.id}`;
    const now = Date.now();
    // three days interleaved, newest first: every batch holds all three and must be cut into three calls
    const events = Array.from({ length: 600 }, (_, i) => enrichedEvent(i, { TimeGenerated: now - (i % 3) * 30 * HOUR - i * 1_000 }));
    const ids = await produceEvents(bed.rd, bed.codec, events);
    await deliverAll(bed, ids, prefix);
    const puts = putsTo(prefix);
    expectWithinLimits(puts);
    expect(puts.length).toBeGreaterThanOrEqual(3);
    // the CloudWatch timestamp is the event's TimeGenerated
    const stored = await storedLogEvents(client(), prefix);
    const expected = new Map(events.map((e) => [e.EventId, e.TimeGenerated]));
    expect(stored.filter((e) => expected.get(eventIdOfMessage(e.message)) !== e.timestamp)).toEqual([]);
    expect(await readAll(bed.kafka, bed.names.dlq('cloudwatch'))).toHaveLength(0);
  });

  it('dead-letters an event over the size limit, and events too old or too far ahead, with context; the rest arrive', async () => {
    const bed = await sinkTestbed((id) => [sinkConfig(id)], 1);
    const prefix = `/siem-limits/${bed.id}`;
    const now = Date.now();
    const normal = Array.from({ length: 20 }, (_, i) => enrichedEvent(i));
    const huge = enrichedEvent(100, { AdditionalFields: { blob: 'x'.repeat(300_000) } });
    const old = enrichedEvent(101, { TimeGenerated: now - 15 * 24 * HOUR });
    const ahead = enrichedEvent(102, { TimeGenerated: now + 3 * HOUR });
    const ids = await produceEvents(bed.rd, bed.codec, [...normal.slice(0, 10), huge, old, ahead, ...normal.slice(10)]);
    const sink = await runSinkInProcess(bed, bed.topology.sinks[0] as SinkConfig);
    const dlq = await until('three records in the DLQ', async () => {
      const records = await readAll(bed.kafka, bed.names.dlq('cloudwatch'));
      return records.length >= 3 ? records : undefined;
    });
    await until('the others stored', async () => (new Set(await storedIds(prefix)).size >= 20 ? true : undefined));
    await sink.stop();
    const byId = new Map(
      await Promise.all(dlq.map(async (r) => [(await bed.codec.decode(r.message.value)).EventId, readHeaders(r.message.headers)] as const)),
    );
    expect(byId.get(huge.EventId)?.[DLQ_HEADER.errorCode]).toBe('RECORD_TOO_LARGE');
    expect(byId.get(huge.EventId)?.[DLQ_HEADER.errorMessage]).toMatch(/over maxEventBytes 262144/);
    expect(byId.get(old.EventId)?.[DLQ_HEADER.errorCode]).toBe('DESTINATION_REJECTED');
    expect(byId.get(old.EventId)?.[DLQ_HEADER.errorMessage]).toMatch(/more than 14 days old/);
    expect(byId.get(ahead.EventId)?.[DLQ_HEADER.errorMessage]).toMatch(/2 hours in the future/);
    expect(byId.get(ahead.EventId)?.[DLQ_HEADER.offset]).toBe('12');
    expect(new Set(await storedIds(prefix))).toEqual(new Set(ids.filter((id) => !byId.has(id))));
  });

  it('with timestamp: delivery-time, delivers a backfill older than 14 days, TimeGenerated kept in the message', async () => {
    const bed = await sinkTestbed((id) => [sinkConfig(id, { timestamp: 'delivery-time' })], 1);
    const prefix = `/siem-limits/${bed.id}`;
    const old = Date.now() - 20 * 24 * HOUR;
    const events = Array.from({ length: 10 }, (_, i) => enrichedEvent(i, { TimeGenerated: old + i }));
    const ids = await produceEvents(bed.rd, bed.codec, events);
    const before = Date.now();
    await deliverAll(bed, ids, prefix);
    const stored = await storedLogEvents(client(), prefix);
    expect(stored.every((e) => e.timestamp >= before)).toBe(true);
    expect(stored.map((e) => (JSON.parse(e.message) as { TimeGenerated: number }).TimeGenerated).sort()).toEqual(
      events.map((e) => e.TimeGenerated).sort(),
    );
    expect(await readAll(bed.kafka, bed.names.dlq('cloudwatch'))).toHaveLength(0);
  });

  it('retries ThrottlingException, ServiceUnavailableException and a reset connection through the shared runtime', async () => {
    const bed = await sinkTestbed((id) => [sinkConfig(id, { batch: { maxRecords: 50, maxLatencyMs: 200 } })]);
    const prefix = `/siem-limits/${bed.id}`;
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 200 }, (_, i) => enrichedEvent(i)),
    );
    proxy.fail('throttling', 3);
    proxy.fail('unavailable', 2);
    proxy.fail('reset', 2);
    const faultsBefore = proxy.puts.filter((p) => p.fault).length;
    await deliverAll(bed, ids, prefix);
    const faulted = proxy.puts.filter((p) => p.fault).length - faultsBefore;
    expect(faulted).toBe(7);
    expect(await readAll(bed.kafka, bed.names.dlq('cloudwatch'))).toHaveLength(0);
  });

  it('creates one log group per EventSchema with its retention, tolerating a group that already exists', async () => {
    const bed = await sinkTestbed((id) => [
      sinkConfig(id, { logGroup: `/siem-limits/${id}/{EventSchema}`, logStream: '{LogType}', retentionInDays: 7 }),
    ]);
    const prefix = `/siem-limits/${bed.id}/`;
    await client().send(new CreateLogGroupCommand({ logGroupName: `${prefix}Authentication` }));
    const ids = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 90 }, (_, i) => enrichedEvent(i)),
    );
    await deliverAll(bed, ids, prefix);
    const stored = await storedLogEvents(client(), prefix);
    const places = new Set(stored.map((e) => `${e.group} ${e.stream}`));
    expect(places).toEqual(new Set([`${prefix}Authentication auth`, `${prefix}NetworkSession firewall`]));
    // retention is set on the group the sink created, not on the one that existed
    const groups = await client().send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }));
    const retention = new Map(groups.logGroups?.map((g) => [g.logGroupName, g.retentionInDays]));
    expect(retention.get(`${prefix}NetworkSession`)).toBe(7);
    expect(retention.get(`${prefix}Authentication`)).toBeUndefined();
  });

  it('stops as misconfigured when the log group is missing and createMissing is off', async () => {
    const bed = await sinkTestbed((id) => [sinkConfig(id, { createMissing: false })], 1);
    await produceEvents(bed.rd, bed.codec, [enrichedEvent(0)]);
    const sink = await runSinkInProcess(bed, bed.topology.sinks[0] as SinkConfig);
    const failure = await sink.failed.catch((error: unknown) => error);
    await sink.stop();
    expect(failure).toBeInstanceOf(SiemStreamError);
    expect((failure as SiemStreamError).code).toBe('DESTINATION_MISCONFIGURED');
    expect((failure as SiemStreamError).message).toMatch(/createMissing is off/);
  });
});
