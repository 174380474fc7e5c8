import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { SiemStreamError } from '../../src/errors.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER, dlqMessage } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { correlationIdOf } from '../../src/observability/correlation.js';
import { REDRIVE_HEADER } from '../../src/ops/dlq-redrive.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { runCli, topologyFile } from '../support/ops-cli.js';
import { testTopology } from '../support/test-topology.js';

const UNPARSEABLE = 5;
const INVALID = 3;

interface InspectJson {
  total: number;
  counts: Array<{ stage: string; errorCode: string; errorClass: string; count: number }>;
  records: Array<{ id: string; correlationId: string; headers: Record<string, string>; redriven: { to: string } | null }>;
}

describe('siem-stream dlq', () => {
  it('inspects by stage and error, and redrives each chosen record once even when run twice', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const raw = names.raw('firewall');
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    // dead letters as the parser writes them (the shared DLQ writer), for records 0..7 of raw.firewall
    const letters = Array.from({ length: UNPARSEABLE + INVALID }, (_, i) => {
      const code = i < UNPARSEABLE ? 'RECORD_UNPARSEABLE' : 'RECORD_INVALID';
      const record = {
        topic: raw,
        partition: i % 3,
        offset: String(100 + i),
        timestamp: String(Date.now()),
        key: Buffer.from(`bucket/firewall/o${i}.log`),
        value: Buffer.from(`{"broken": ${i}`),
        headers: {
          [RAW_HEADER.logType]: 'firewall',
          [RAW_HEADER.bucket]: 'bucket',
          [RAW_HEADER.key]: `firewall/o${i}.log`,
          [RAW_HEADER.recordNumber]: String(i),
        },
      };
      return dlqMessage(record, new SiemStreamError(code, `record ${i} is bad`, { stage: 'parser' }), 'parser');
    });
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    await producer.send({ topic: names.dlq('parser'), messages: letters.map((m) => ({ ...m, partition: 0 })) });
    await producer.disconnect();
    const file = topologyFile(topology);

    const inspect = await runCli(['dlq', 'inspect', file, '--json', '--limit', '100']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const report = JSON.parse(inspect.stdout) as InspectJson;
    expect(report.total).toBe(UNPARSEABLE + INVALID);
    expect(report.counts).toEqual([
      { stage: 'parser', errorCode: 'RECORD_UNPARSEABLE', errorClass: 'SiemStreamError', count: UNPARSEABLE },
      { stage: 'parser', errorCode: 'RECORD_INVALID', errorClass: 'SiemStreamError', count: INVALID },
    ]);
    expect(report.records[0]?.headers[DLQ_HEADER.errorMessage]).toBe('record 0 is bad');
    expect(report.records[0]?.correlationId).toBe(correlationIdOf('bucket', 'firewall/o0.log', 0));
    const table = await runCli(['dlq', 'inspect', file]);
    expect(table.stdout).toMatch(/parser\s+RECORD_UNPARSEABLE\s+SiemStreamError\s+5/);
    expect(table.stdout).toContain(`${DLQ_HEADER.topic}: ${raw}`);

    const refused = await runCli(['dlq', 'redrive', file]);
    expect(refused.code).toBe(1);

    const dry = await runCli(['dlq', 'redrive', file, '--error-code', 'RECORD_UNPARSEABLE', '--dry-run']);
    expect(dry.stdout).toContain(`would redrive: ${UNPARSEABLE}`);
    expect(await readAll(kafka, raw)).toHaveLength(0);

    const firstRun = await runCli(['dlq', 'redrive', file, '--error-code', 'RECORD_UNPARSEABLE']);
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toContain(`redriven: ${UNPARSEABLE}; already redriven earlier (skipped): 0`);
    expect(firstRun.stderr).toMatch(/redriven=\d+/);
    const secondRun = await runCli(['dlq', 'redrive', file, '--error-code', 'RECORD_UNPARSEABLE']);
    expect(secondRun.code, secondRun.stderr).toBe(0);
    expect(secondRun.stdout).toContain(`redriven: 0; already redriven earlier (skipped): ${UNPARSEABLE}`);

    let back = await readAll(kafka, raw);
    expect(back).toHaveLength(UNPARSEABLE);
    const headers = back.map((b) => readHeaders(b.message.headers));
    expect(headers.map((h) => Number(h[RAW_HEADER.recordNumber])).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(headers.every((h) => h[DLQ_HEADER.stage] === undefined && h[REDRIVE_HEADER.count] === '1')).toBe(true);
    expect(new Set(headers.map((h) => h[REDRIVE_HEADER.from])).size).toBe(UNPARSEABLE);
    expect(back.map((b) => b.message.value?.toString()).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `{"broken": ${i}`));
    expect(back.map((b) => b.message.key?.toString()).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `bucket/firewall/o${i}.log`));

    // the rest, named one by one plus a repeat of an already redriven one
    const rest = report.records.slice(UNPARSEABLE).map((r) => r.id);
    const third = await runCli(['dlq', 'redrive', file, '--record', ...rest, report.records[0]?.id as string]);
    expect(third.stdout, third.stderr).toContain(`redriven: ${INVALID}; already redriven earlier (skipped): 1`);
    back = await readAll(kafka, raw);
    expect(back).toHaveLength(UNPARSEABLE + INVALID);
    const sources = back.map((b) => readHeaders(b.message.headers)[REDRIVE_HEADER.from]);
    expect(new Set(sources).size).toBe(UNPARSEABLE + INVALID);

    const after = JSON.parse((await runCli(['dlq', 'inspect', file, '--json', '--limit', '100'])).stdout) as InspectJson;
    expect(after.records.every((r) => r.redriven?.to === raw)).toBe(true);
  });

  it('a redrive killed between sending and committing sends nothing of the open batch; the rerun completes each record once', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const raw = names.raw('auth');
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const letters = Array.from({ length: 8 }, (_, i) =>
      dlqMessage(
        { topic: raw, partition: 0, offset: String(i), timestamp: '0', key: null, value: Buffer.from(`bad ${i}`), headers: {} },
        new SiemStreamError('RECORD_INVALID', 'bad'),
        'parser',
      ),
    );
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    await producer.send({ topic: names.dlq('parser'), messages: letters.map((m) => ({ ...m, partition: 0 })) });
    await producer.disconnect();
    const file = topologyFile(topology);

    const limited = await runCli(['dlq', 'redrive', file, '--all', '--limit', '2', '--dry-run']);
    expect(limited.stdout, limited.stderr).toContain('would redrive: 2;');

    // batches of 3: the first commits, the process SIGKILLs itself before committing the second
    const crashed = await runCli(['dlq', 'redrive', file, '--all', '--batch', '3'], { SIEM_STREAM_FAULT: 'crash-before-commit:2' });
    expect(crashed.code).not.toBe(0);
    expect(await readAll(kafka, raw)).toHaveLength(3);

    const rerun = await runCli(['dlq', 'redrive', file, '--all', '--batch', '3']);
    expect(rerun.stdout, rerun.stderr).toContain('redriven: 5; already redriven earlier (skipped): 3');
    const back = await readAll(kafka, raw);
    expect(back.map((b) => b.message.value?.toString()).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `bad ${i}`));
    // the killed batch did reach the log, and was aborted when the rerun took over the transactional id
    expect((await readAll(kafka, raw, { readUncommitted: true })).length).toBeGreaterThan(8);
  });
});
