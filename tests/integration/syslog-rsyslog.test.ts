import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { sinkSchema } from '../../src/sinks/config.js';
import { SD_ID } from '../../src/sinks/syslog/rfc5424.js';
import { eventIdOf, syslogDestination, type TestDestination } from './sink-destinations.js';
import { enrichedEvent, produceEvents, runSinkInProcess, sinkTestbed, until } from './sink-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'siem-syslog-'));
const started: TestDestination[] = [];
afterAll(async () => {
  await Promise.allSettled(started.map((d) => d.stop()));
});

describe.each(['tcp', 'tls'] as const)('syslog sink → real rsyslog over %s', (transport) => {
  it('rsyslog receives every event of a run, each framed and parsed as one RFC 5424 message', async () => {
    const destination = await syslogDestination(join(dir, transport), transport);
    started.push(destination);
    const bed = await sinkTestbed((id) => [destination.config(id, { batch: { maxRecords: 200, maxLatencyMs: 200 } })]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    // line breaks, a "]" and non-ASCII in the payload: only octet-counting keeps such messages whole
    const events = Array.from({ length: 1_000 }, (_, i) =>
      enrichedEvent(i, { AdditionalFields: { note: `line one\nline two ] "quoted" — ${i}`, path: 'C:\\Temp\\ü' } }),
    );
    const ids = await produceEvents(bed.rd, bed.codec, events);
    const sink = await runSinkInProcess(bed, config);
    const wanted = new Set(ids);
    const mine = () => destination.receiver.messages().filter((m) => wanted.has(eventIdOf(m.sd)));
    await until('rsyslog to hold every event', () => (new Set(mine().map((m) => eventIdOf(m.sd))).size === ids.length ? true : undefined));
    await sink.stop();

    const messages = mine();
    expect(messages).toHaveLength(ids.length);
    const byId = new Map(events.map((e) => [e.EventId, e]));
    for (const m of messages) {
      const event = byId.get(eventIdOf(m.sd));
      expect(m.version).toBe('1');
      expect(Number(m.pri)).toBe(16 * 8 + 6); // local0.info
      expect(m.app).toBe('siem-stream');
      expect(m.msgid).toBe(event?.EventSchema);
      expect(m.sd.startsWith(`[${SD_ID} eventId=`)).toBe(true);
      expect(Date.parse(m.timestamp)).toBe(event?.TimeGenerated);
      expect(JSON.parse(m.msg)).toEqual(event);
    }
  });
});
