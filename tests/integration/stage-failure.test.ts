import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, setTopicConfig, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { loggedPort, spawnCli, topologyFile } from '../support/ops-cli.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const GOOD = 50;
/** below any DLQ record (original bytes + context headers): every DLQ write is refused by the broker */
const DLQ_REFUSING_MAX_BYTES = 300;

describe('a stage whose consumer fails for good', () => {
  it('fails /readyz at once and exits non-zero; the restarted stage loses and skips nothing', async () => {
    const topology = testTopology({ parser: { maxRecordsPerTransaction: 10 } });
    const names = topicNames(topology);
    const raw = names.raw('firewall');
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    await setTopicConfig(topology.kafka, names.dlq('parser'), 'max.message.bytes', String(DLQ_REFUSING_MAX_BYTES));

    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    const record = (i: number, value: string) => ({
      key: 'bucket/firewall/fatal.log',
      value,
      headers: { [RAW_HEADER.logType]: 'firewall', [RAW_HEADER.bucket]: 'bucket', [RAW_HEADER.recordNumber]: String(i) },
    });
    const good = (i: number) =>
      JSON.stringify({ id: `r${i}`, ts: new Date(Date.UTC(2026, 10, 1) + i).toISOString(), src: { ip: '10.2.0.1' }, action: 'deny' });
    const messages = [
      ...Array.from({ length: GOOD }, (_, i) => record(i, good(i))),
      record(GOOD, '{"ts": '), // malformed: must go to the (refusing) DLQ
      ...Array.from({ length: GOOD }, (_, i) => record(GOOD + 1 + i, good(GOOD + 1 + i))),
    ];
    await producer.send({ topic: raw, messages });
    await producer.disconnect();

    // with a second stage in the process, the failure path has the enricher to stop before it exits:
    // the window in which /readyz must already answer "failed"
    const stage = spawnCli(['run', topologyFile(topology), '--stage', 'enricher', '--stage', 'parser', '--metrics-port', '0']);
    const port = await waitFor('the metrics port', async () => loggedPort(stage.logFile), 60_000, 50);
    const seen: Array<{ status: number; body: string }> = [];
    let running = true;
    const polling = (async () => {
      while (running) {
        const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (answer) seen.push({ status: answer.status, body: await answer.text() });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const exit = await Promise.race([
      exited(stage),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the stage did not exit; log: ${stage.logFile}`)), 120_000)),
    ]);
    running = false;
    await polling;
    expect(exit.code, `log: ${stage.logFile}`).toBe(1);
    const failedAnswers = seen.filter((a) => a.status === 503 && /parser: failed \(KAFKA_FATAL/.test(a.body));
    expect(failedAnswers.length, `readyz answers: ${JSON.stringify(seen.slice(-5))}`).toBeGreaterThan(0);
    // once failed, /readyz never said ready again before the exit
    const firstFailed = seen.findIndex((a) => a.status === 503 && a.body.includes('failed'));
    expect(seen.slice(firstFailed).every((a) => a.status === 503)).toBe(true);

    // Nothing after the refused DLQ write was committed: the failing chunk was aborted, not skipped.
    const before = await readAll(kafka, names.normalized);
    expect(before.length).toBeLessThanOrEqual(GOOD);

    // The operator fixes the DLQ; the restarted stage carries on from the last commit.
    await setTopicConfig(topology.kafka, names.dlq('parser'), 'max.message.bytes', '1048588');
    const restarted = spawnStage(topology, 'parser');
    try {
      const outputs = await waitFor(
        'every good record normalized',
        async () => {
          const read = await readAll(kafka, names.normalized);
          return read.length >= 2 * GOOD ? read : undefined;
        },
        120_000,
        500,
      );
      expect(outputs).toHaveLength(2 * GOOD);
      const dlq = await waitFor('the malformed record in the DLQ', async () => {
        const read = await readAll(kafka, names.dlq('parser'));
        return read.length > 0 ? read : undefined;
      });
      expect(dlq).toHaveLength(1);
      expect(readHeaders(dlq[0]?.message.headers)[RAW_HEADER.recordNumber]).toBe(String(GOOD));
    } finally {
      restarted.kill('SIGTERM');
      expect((await exited(restarted)).code, `log: ${restarted.logFile}`).toBe(0);
    }
  });
});
