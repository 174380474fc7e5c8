import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { loggedPort, spawnCli, topologyFile } from '../support/ops-cli.js';
import { exited, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const RECORDS = 6_000;
const MALFORMED_EVERY = 100;
const METRICS = [
  'siem_records_in_total',
  'siem_records_out_total',
  'siem_dlq_records_total',
  'siem_batch_duration_seconds_bucket',
  'siem_kafka_transactions_total',
  'siem_retries_total',
  'siem_consumer_lag_records',
  'siem_consumer_lag_seconds',
];

const metricValue = (body: string, name: string) =>
  body
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

describe('graceful shutdown on SIGTERM', () => {
  it('stops mid-stream with every transaction ended and committed, leaves the group, and a restart duplicates nothing', async () => {
    const topology = testTopology({ parser: { maxRecordsPerTransaction: 20 } });
    const names = topicNames(topology);
    const raw = names.raw('firewall');
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const producer = kafka.producer({ ...PRODUCER_DEFAULTS, idempotent: true });
    await producer.connect();
    const messages = Array.from({ length: RECORDS }, (_, i) => ({
      key: `bucket/firewall/o${i % 9}.log`,
      value:
        (i + 1) % MALFORMED_EVERY === 0
          ? '{"ts": '
          : JSON.stringify({ id: `r${i}`, ts: new Date(Date.UTC(2026, 10, 1) + i).toISOString(), src: { ip: '10.2.0.1' }, action: 'deny' }),
      headers: { [RAW_HEADER.logType]: 'firewall', [RAW_HEADER.bucket]: 'bucket', [RAW_HEADER.recordNumber]: String(i) },
    }));
    for (let i = 0; i < RECORDS; i += 1_000) await producer.send({ topic: raw, messages: messages.slice(i, i + 1_000) });
    await producer.disconnect();
    const file = topologyFile(topology);
    const args = ['run', file, '--stage', 'parser', '--metrics-port', '0', '--lag-interval', '500', '--shutdown-deadline', '20000'];
    const run = (env: Record<string, string> = {}) => spawnCli(args, env);

    const stage = run();
    const port = await waitFor('the metrics port', async () => loggedPort(stage.logFile), 60_000, 100);
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    expect((await fetch(url('/healthz'))).status).toBe(200);
    await waitFor('readiness', async () => ((await fetch(url('/readyz'))).status === 200 ? true : undefined), 60_000, 100);
    const midway = await waitFor(
      'the stage to be mid-stream',
      async () => {
        const body = await (await fetch(url('/metrics'))).text();
        const seen = metricValue(body, 'siem_records_in_total');
        return seen >= RECORDS / 10 && body.includes('siem_consumer_lag_records{') ? { body, seen } : undefined;
      },
      60_000,
      50,
    );
    stage.kill('SIGTERM');
    const sentAt = Date.now();
    const exit = await exited(stage);
    const stopMs = Date.now() - sentAt;
    expect(exit.code, `log tail: ${stage.logFile}`).toBe(0);
    expect(midway.seen).toBeLessThan(RECORDS);
    for (const name of METRICS) expect(midway.body, name).toContain(name);
    process.stderr.write(
      `[shutdown] stopped ${stopMs} ms after SIGTERM, having seen ${midway.seen} of ${RECORDS} records when it was sent\n`,
    );

    // left the group: nobody holds the partitions until a session timeout
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([topology.parser.groupId]);
    expect(groups[0]?.state).toBe('Empty');
    const [offsets] = await admin.fetchOffsets({ groupId: topology.parser.groupId, topics: [raw] });
    await admin.disconnect();
    const consumed = (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    expect(consumed).toBeLessThan(RECORDS);

    // nothing uncommitted: no open or aborted transaction, and the outputs match the committed input offsets exactly
    const committedOut = await readAll(kafka, names.normalized);
    const everyOut = await readAll(kafka, names.normalized, { readUncommitted: true });
    const committedDlq = await readAll(kafka, names.dlq('parser'));
    expect(everyOut).toHaveLength(committedOut.length);
    expect(committedOut.length + committedDlq.length).toBe(consumed);

    // small transactions made the first run slow enough to stop midway; the rest can go in bigger ones
    const restarted = run({ SIEM_STREAM__PARSER__MAX_RECORDS_PER_TRANSACTION: '500' });
    try {
      const valid = RECORDS - RECORDS / MALFORMED_EVERY;
      await waitFor('the rest', async () => ((await readAll(kafka, names.normalized)).length >= valid ? true : undefined));
      await new Promise((r) => setTimeout(r, 1_500));
      const events = await readAll(kafka, names.normalized);
      const dlq = await readAll(kafka, names.dlq('parser'));
      expect(events).toHaveLength(valid);
      expect(dlq).toHaveLength(RECORDS / MALFORMED_EVERY);
      const numbers = [...events, ...dlq].map((e) => Number(readHeaders(e.message.headers)[RAW_HEADER.recordNumber])).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
    } finally {
      restarted.kill('SIGTERM');
      expect((await exited(restarted)).code).toBe(0);
    }
  });
});
