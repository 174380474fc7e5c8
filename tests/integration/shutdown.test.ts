import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { describe, expect, inject, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { emulatorGet } from '../../src/dev/emulator-stats.js';
import { generateSampleObjects, uploadSampleObjects } from '../../src/dev/sample-logs.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { describeGroup } from '../../src/kafka/protocol/index.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { holdsAtLeast, loggedPort, spawnCli, topologyFile } from '../support/ops-cli.js';
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
    const producer = kafka.producer(PRODUCER_DEFAULTS);
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
    expect((await describeGroup(topology.kafka, topology.parser.groupId)).state).toBe('Empty');
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
      await waitFor('the rest', holdsAtLeast(kafka, names.normalized, valid));
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

  it('exits 1 at the shutdown deadline when a stop hangs (an upload the destination holds), and a restart loses nothing', async () => {
    const topology = testTopology();
    const file = topologyFile(topology); // before the S3 client: the AWS SDK marks up the credentials object it is given
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const samples = generateSampleObjects({ objects: 2, recordsPerObject: 200, malformedEvery: 40 });
    await uploadSampleObjects(createS3Client(topology.source.s3), topology.source.s3.bucket, samples);
    const valid = samples.reduce((n, s) => n + s.valid, 0);
    const run = (deadlineMs: number) =>
      spawnCli(['run', file, '--all', '--metrics-port', '0', '--lag-interval', '0', '--shutdown-deadline', String(deadlineMs)]);

    await emulatorControl('POST', '/_emulator/faults', { stream: '*', latencyMs: 60_000 });
    const held = run(3_000);
    try {
      const port = await waitFor('the metrics port', async () => loggedPort(held.logFile), 60_000, 100);
      await waitFor('the enricher to finish, so the sink is uploading', async () => {
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return metricValue(body, 'siem_records_out_total{stage="enricher"') >= valid ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 2_000));
      held.kill('SIGTERM');
      const sentAt = Date.now();
      const exit = await exited(held);
      process.stderr.write(`[shutdown] deadline 3000 ms: exited ${Date.now() - sentAt} ms after SIGTERM with code ${exit.code}\n`);
      expect(exit.code).toBe(1);
      expect(readFileSync(held.logFile, 'utf8')).toContain('shutdown deadline passed');
    } finally {
      if (held.exitCode === null && held.signalCode === null) held.kill('SIGKILL'); // a failure above left it running
      await emulatorControl('DELETE', '/_emulator/faults');
    }

    const restarted = run(30_000);
    try {
      const accepted = await waitFor('every valid record at the emulator', async () => {
        const ids = await acceptedEventIds(topology.source.s3.bucket);
        return new Set(ids).size >= valid ? ids : undefined;
      });
      expect(new Set(accepted).size).toBe(valid);
      // the stages before the sink were cut off too: still exactly once in Kafka
      expect(await readAll(kafka, names.normalized)).toHaveLength(valid);
      expect(await readAll(kafka, names.enriched)).toHaveLength(valid);
    } finally {
      restarted.kill('SIGTERM');
      expect((await exited(restarted)).code).toBe(0);
    }
  });
});

async function acceptedEventIds(bucket: string): Promise<string[]> {
  const stack = inject('stack');
  const all = await emulatorGet<{ records: Array<{ record: Record<string, unknown> }> }>(
    stack.emulatorUrl,
    stack.emulatorCaFile,
    '/_emulator/records',
  );
  return all.records.filter((r) => r.record.SourceBucket === bucket).map((r) => String(r.record.EventId));
}

function emulatorControl(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const stack = inject('stack');
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, stack.emulatorUrl),
      { method, ca: readFileSync(stack.emulatorCaFile, 'utf8'), headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
