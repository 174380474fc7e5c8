import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStackedEvents } from '../../src/dev/splunk-hec-emulator/hec-body.js';
import { type SplunkHecEmulator, startSplunkHecEmulator } from '../../src/dev/splunk-hec-emulator/index.js';
import { rootLogger } from '../../src/observability/logger.js';
import { deliverBatch } from '../../src/sinks/runtime/deliver-batch.js';
import { splunkHecSinkSchema } from '../../src/sinks/splunk-hec/config.js';
import { HecWriter } from '../../src/sinks/splunk-hec/hec-writer.js';
import { enrichedEventFixture } from '../unit/sinks/sink-fixtures.js';

const ACK_TOKEN = 'aaaaaaaa-0000-0000-0000-000000000001';
const PLAIN_TOKEN = 'aaaaaaaa-0000-0000-0000-000000000002';

describe('Splunk HEC sink against the HEC emulator', () => {
  let hec: SplunkHecEmulator;
  beforeAll(async () => {
    hec = await startSplunkHecEmulator({ tokens: { [ACK_TOKEN]: { ack: true }, [PLAIN_TOKEN]: {} }, ackDelayMs: 150 });
  });
  afterAll(() => hec.stop());

  const writerFor = (token: string, extra: Record<string, unknown> = {}) =>
    new HecWriter(splunkHecSinkSchema.parse({ type: 'splunk-hec', name: 'splunk', url: hec.url, token, index: 'siem', ...extra }), {
      stage: 'splunk',
      logger: rootLogger,
    });
  const records = (writer: HecWriter, n: number) =>
    Array.from({ length: n }, (_, i) =>
      writer.encode({ topic: 't', partition: 0, offset: String(i), event: enrichedEventFixture({ EventId: `e-${i}` }) }),
    );
  const retry = { attempts: 5, baseMs: 20, capMs: 100 };

  it('with indexer acknowledgement, a batch counts only after its ackId is reported indexed', async () => {
    hec.reset();
    const writer = writerFor(ACK_TOKEN, { ack: { enabled: true, pollIntervalMs: 50 } });
    const batch = records(writer, 25);
    const result = await deliverBatch(writer, 'siem', batch, { retry, stage: 'splunk', signal: new AbortController().signal });
    expect(result.delivered).toHaveLength(25);
    expect(hec.events().map((e) => (e.event.event as { EventId: string }).EventId)).toEqual(batch.map((_, i) => `e-${i}`));
    expect(hec.events()[0]?.event).toMatchObject({ index: 'siem', sourcetype: 'siem:event', fields: { EventId: 'e-0' } });
    expect(new Set(hec.events().map((e) => e.channel)).size).toBe(1);
    expect(hec.stats().ackPolls).toBeGreaterThanOrEqual(2); // not indexed on the first poll (150 ms delay)
    await writer.close();
  });

  it('answers without a channel are refused when the token requires acknowledgement, and the sink stops as misconfigured', async () => {
    const writer = writerFor(ACK_TOKEN, { ack: { enabled: false } });
    // the writer always sends a channel, so ask the emulator directly the way a client without one would
    const answer = await fetch(`${hec.url}/services/collector/event`, {
      method: 'POST',
      headers: { authorization: `Splunk ${ACK_TOKEN}` },
      body: '{"event":"x"}',
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ text: 'Data channel is missing', code: 10 });
    const bad = writerFor('not-a-token');
    await expect(
      deliverBatch(bad, 'siem', records(bad, 1), { retry, stage: 'splunk', signal: new AbortController().signal }),
    ).rejects.toMatchObject({
      code: 'DESTINATION_MISCONFIGURED',
    });
    await writer.close();
    await bad.close();
  });

  it('retries 503 "Server is busy" answers, honouring Retry-After, and delivers once', async () => {
    hec.reset();
    const writer = writerFor(PLAIN_TOKEN);
    hec.busy(3, 1);
    const started = Date.now();
    const result = await deliverBatch(writer, 'siem', records(writer, 10), {
      retry,
      stage: 'splunk',
      signal: new AbortController().signal,
    });
    expect(result.delivered).toHaveLength(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(hec.stats()).toMatchObject({ busyAnswers: 3, accepted: 1, events: 10 });
    await writer.close();
  });

  it('splits a batch over max_content_length (413) and rejects an event that never fits', async () => {
    const small = await startSplunkHecEmulator({ tokens: { [PLAIN_TOKEN]: {} }, maxContentLength: 4_000 });
    try {
      const writer = new HecWriter(
        splunkHecSinkSchema.parse({
          type: 'splunk-hec',
          name: 'splunk',
          url: small.url,
          token: PLAIN_TOKEN,
          gzip: false,
          maxRequestBytes: 100_000,
        }),
        { stage: 'splunk', logger: rootLogger },
      );
      const batch = records(writer, 8);
      const huge = writer.encode({
        topic: 't',
        partition: 0,
        offset: '99',
        event: enrichedEventFixture({ EventId: 'huge', EventOriginalUid: 'u'.repeat(5_000) }),
      });
      const result = await deliverBatch(writer, 'default', [...batch, huge], {
        retry,
        stage: 'splunk',
        signal: new AbortController().signal,
      });
      expect(result.delivered).toHaveLength(8);
      expect(result.rejected.map((r) => r.error.code)).toEqual(['RECORD_TOO_LARGE']);
      expect(small.stats().rejections['413']).toBeGreaterThanOrEqual(2);
      expect(small.events()).toHaveLength(8);
      await writer.close();
    } finally {
      await small.stop();
    }
  });

  it('parses stacked events with or without separators, and refuses anything else', () => {
    expect(parseStackedEvents('{"event":"a"}{"event":{"b":"}{"}}\n {"event":3}')).toEqual([
      { event: 'a' },
      { event: { b: '}{' } },
      { event: 3 },
    ]);
    expect(() => parseStackedEvents('{"event":1} x')).toThrow();
    expect(() => parseStackedEvents('{"event":1')).toThrow();
  });
});
