import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import { readAll } from '../../src/kafka/read-topic.js';
import type { sinkSchema } from '../../src/sinks/config.js';
import { piiTransforms } from '../../src/sinks/runtime/sink-metrics.js';
import { splunkDestination, type TestDestination } from './sink-destinations.js';
import { enrichedEvent, produceEvents, runSinkInProcess, sentinelConfig, sinkTestbed, startTestEmulator, until } from './sink-harness.js';

const KEY = 'pii-integration-key-0123456789abcdef';
const hmac = (value: string) => createHmac('sha256', KEY).update(value).digest('hex');
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];

let emulator: LogsIngestionEmulator | undefined;
let splunk: TestDestination | undefined;
afterAll(async () => {
  await emulator?.stop();
  await splunk?.stop();
});

describe('PII rules on the Sentinel sink', () => {
  it('sends hashed, truncated, masked and dropped values and never the original; the DLQ keeps the original record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siem-pii-'));
    const keyFile = join(dir, 'pii-key');
    writeFileSync(keyFile, `${KEY}\n`);
    emulator = await startTestEmulator(join(dir, 'emulator'));
    const e = emulator;
    // topology rules for every sink; the sink adds one and replaces the topology's rule for SrcIpAddr on IPv6 lengths
    const topologyPii = {
      hashKey: { file: keyFile },
      rules: [
        { field: 'ActorUsername', action: 'hash' },
        { field: 'EntityKey', action: 'hash', length: 32 },
        { field: 'SrcIpAddr', action: 'truncate', ipPrefix: {} },
        { field: 'AdditionalFields.email', action: 'mask', keepLast: 4 },
        { field: 'HttpUserAgent', action: 'drop' },
      ],
    };
    const sinkPii = {
      rules: [
        { field: 'SrcIpAddr', action: 'truncate', ipPrefix: { ipv4: 16, ipv6: 32 } },
        { field: 'SrcPortNumber', action: 'drop' },
      ],
    };
    const bed = await sinkTestbed((id) => [sentinelConfig(e, id, { pii: sinkPii })], 3, { pii: topologyPii });
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;

    const events = Array.from({ length: 30 }, (_, i) => {
      const user = USERS[i % USERS.length] as string;
      const ip = i % 2 === 0 ? `198.51.${100 + (i % 7)}.${i + 1}` : `2001:db8:${(i + 1).toString(16)}:7::${i + 1}`;
      return enrichedEvent(i, {
        ActorUsername: user,
        EntityKey: user,
        SrcIpAddr: ip,
        HttpUserAgent: `secret-agent/${i}`,
        AdditionalFields: { email: `${user}.${i}@corp.example`, note: `event ${i}` },
      });
    });
    const rejected = enrichedEvent(99, {
      ActorUsername: 'mallory',
      EventOriginalUid: 'u'.repeat(70_000), // over the 64 KB field limit: the schema guard sends it to the DLQ
    });
    const byId = new Map([...events, rejected].map((ev) => [ev.EventId, ev]));
    await produceEvents(bed.rd, bed.codec, [...events, rejected]);

    const before = await transformedCount('sentinel');
    const sink = await runSinkInProcess(bed, config);
    const dlq = await until('the oversized record in the sink DLQ', async () => {
      const records = await readAll(bed.kafka, bed.names.dlq(config.name));
      return records.length >= 1 ? records : undefined;
    });
    await until('every other event accepted', () => (e.store.records().length >= events.length ? true : undefined));
    await sink.stop();

    const accepted = e.store.records();
    expect(accepted.map((r) => r.record.EventId).sort()).toEqual(events.map((ev) => ev.EventId).sort());
    for (const { record, droppedColumns } of accepted) {
      const original = byId.get(String(record.EventId));
      if (!original) throw new Error(`unexpected EventId ${String(record.EventId)}`);
      expect(droppedColumns).toBeUndefined();
      expect(record.ActorUsername).toBe(hmac(original.ActorUsername as string));
      expect(record.EntityKey).toBe(hmac(original.EntityKey).slice(0, 32));
      expect(record.SrcIpAddr).toBe(original.SrcIpAddr?.includes(':') ? `2001:db8::` : `198.51.0.0`);
      const email = original.AdditionalFields.email as string;
      expect(record.AdditionalFields).toEqual({
        email: `${'*'.repeat(email.length - 4)}${email.slice(-4)}`,
        note: original.AdditionalFields.note,
      });
      expect(record).not.toHaveProperty('HttpUserAgent');
      expect(record).not.toHaveProperty('SrcPortNumber');
      expect(record.DstIpAddr).toBe(original.DstIpAddr);
    }
    // the same user hashes the same in every event, so joins on the hash still work
    expect(new Set(accepted.map((r) => r.record.ActorUsername)).size).toBe(USERS.length);

    // nothing the rules cover reached the destination, in any column: checked on what the emulator wrote to disk
    const received = readFileSync(join(dir, 'emulator', 'records.jsonl'), 'utf8');
    for (const ev of events) {
      for (const secret of [ev.SrcIpAddr, ev.HttpUserAgent, ev.AdditionalFields.email] as string[]) expect(received).not.toContain(secret);
    }
    for (const user of USERS) expect(received).not.toMatch(new RegExp(`"${user}"`));

    // six values per accepted event; the rejected one had four (no user agent, no email) before the guard refused it;
    // at least, because a record consumed twice (a rebalance at start) is transformed twice
    expect((await transformedCount('sentinel')) - before).toBeGreaterThanOrEqual(events.length * 6 + 4);

    // the DLQ holds the original Kafka record, untransformed: it must be protected like the enriched topic
    expect(dlq).toHaveLength(1);
    const dead = await bed.codec.decode(dlq[0]?.message.value ?? null);
    expect(dead.EventId).toBe(rejected.EventId);
    expect(dead.ActorUsername).toBe('mallory');
  });
});

describe('PII rules on another destination', () => {
  it('apply to Splunk HEC too, with no code of its own: the runtime applies them before any writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siem-pii-hec-'));
    const keyFile = join(dir, 'pii-key');
    writeFileSync(keyFile, KEY);
    const destination = await splunkDestination();
    splunk = destination;
    const topologyPii = {
      hashKey: { file: keyFile },
      rules: [
        { field: 'ActorUsername', action: 'hash', length: 16 },
        { field: 'SrcIpAddr', action: 'truncate', ipPrefix: {} },
        { field: 'AdditionalFields.note', action: 'drop' },
      ],
    };
    const bed = await sinkTestbed((id) => [destination.config(id)], 3, { pii: topologyPii });
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const events = Array.from({ length: 10 }, (_, i) =>
      enrichedEvent(i, { ActorUsername: USERS[i % 2] as string, SrcIpAddr: `203.0.113.${i + 1}` }),
    );
    const byId = new Map(events.map((ev) => [ev.EventId, ev]));
    await produceEvents(bed.rd, bed.codec, events);
    const sink = await runSinkInProcess(bed, config);
    await until('every event indexed', async () => ((await destination.receivedIds()).length >= events.length ? true : undefined));
    await sink.stop();

    const received = destination
      .emulator()
      .events()
      .map((e) => e.event.event as Record<string, unknown>);
    expect(received.map((r) => r.EventId).sort()).toEqual(events.map((ev) => ev.EventId).sort());
    for (const event of received) {
      const original = byId.get(String(event.EventId));
      expect(event.ActorUsername).toBe(hmac(original?.ActorUsername as string).slice(0, 16));
      expect(event.SrcIpAddr).toBe('203.0.113.0');
      expect(event.AdditionalFields).toEqual({});
    }
  });
});

async function transformedCount(stage: string): Promise<number> {
  const metric = await piiTransforms.get();
  return metric.values.filter((v) => v.labels.stage === stage).reduce((n, v) => n + v.value, 0);
}
