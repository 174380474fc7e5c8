import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { crashBeforeCommit, exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { produceFirewallRecords } from './parser-fixtures.js';

const RECORDS = 3_000;

describe('parser exactly-once across a SIGKILL between produce and commit', () => {
  it('emits every event exactly once after a restart', async () => {
    const topology = testTopology({ parser: { maxRecordsPerTransaction: 200 } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const malformed = await produceFirewallRecords(kafka, names.raw('firewall'), RECORDS, 6);

    const crash = await crashBeforeCommit(topology, 'parser', 4);
    expect(crash.signal, crash.log).toBe('SIGKILL');
    const written = await readAll(kafka, names.normalized, { readUncommitted: true });
    expect(written.length).toBeGreaterThan(0);

    const restarted = spawnStage(topology, 'parser');
    try {
      const events = await waitFor('all parser outputs committed', async () => {
        const out = await readAll(kafka, names.normalized);
        return out.length >= RECORDS - malformed ? out : undefined;
      });
      const dlq = await waitFor('the parser DLQ', async () => {
        const out = await readAll(kafka, names.dlq('parser'));
        return out.length >= malformed ? out : undefined;
      });
      await new Promise((r) => setTimeout(r, 2_000));
      const finalEvents = await readAll(kafka, names.normalized);
      const finalDlq = await readAll(kafka, names.dlq('parser'));
      expect(finalEvents).toHaveLength(RECORDS - malformed);
      expect(finalDlq).toHaveLength(malformed);
      expect(events.length + dlq.length).toBe(RECORDS);

      const ids = finalEvents.map((e) => readHeaders(e.message.headers)['siem.event.id']);
      expect(new Set(ids).size).toBe(finalEvents.length);
      const recordNumbers = [...finalEvents, ...finalDlq]
        .map((e) => Number(readHeaders(e.message.headers)[RAW_HEADER.recordNumber]))
        .sort((a, b) => a - b);
      expect(recordNumbers).toEqual(Array.from({ length: RECORDS }, (_, i) => i));

      const uncommitted = await readAll(kafka, names.normalized, { readUncommitted: true });
      expect(uncommitted.length).toBeGreaterThan(finalEvents.length);

      const dlqHeaders = readHeaders(finalDlq[0]?.message.headers);
      expect(dlqHeaders[DLQ_HEADER.stage]).toBe('parser');
      expect(dlqHeaders[DLQ_HEADER.errorCode]).toMatch(/RECORD_(UNPARSEABLE|INVALID)/);
      expect(dlqHeaders[DLQ_HEADER.topic]).toBe(names.raw('firewall'));
      expect(dlqHeaders[DLQ_HEADER.offset]).toMatch(/^\d+$/);
      expect(dlqHeaders[DLQ_HEADER.errorMessage]).not.toBe('');
    } finally {
      restarted.kill('SIGTERM');
      await exited(restarted);
    }
  });
});
