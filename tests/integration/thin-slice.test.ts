import { afterAll, describe, expect, inject, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { emulatorGet } from '../../src/dev/emulator-stats.js';
import { LOCAL_STREAMS } from '../../src/dev/local-stack.js';
import { generateSampleObjects, uploadSampleObjects } from '../../src/dev/sample-logs.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { type RunningStage, stageNames, startStage } from '../../src/runtime/stages.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const OBJECTS = 12;
const RECORDS_PER_OBJECT = 900;
const MALFORMED_EVERY = 97;

interface EmulatorRecord {
  table: string;
  stream: string;
  record: Record<string, unknown>;
}

/** Every record the emulator accepted that came from this test's bucket (other tests share the emulator). */
async function acceptedFrom(bucket: string): Promise<EmulatorRecord[]> {
  const stack = inject('stack');
  const all = await emulatorGet<{ records: EmulatorRecord[] }>(stack.emulatorUrl, stack.emulatorCaFile, '/_emulator/records');
  return all.records.filter((r) => r.record.SourceBucket === bucket);
}

describe('thin slice: S3 → source → parser → enricher → Sentinel sink', () => {
  const stages: RunningStage[] = [];
  afterAll(async () => {
    await Promise.allSettled(stages.reverse().map((s) => s.stop()));
  });

  it('delivers every valid record once, to its table, and parks every malformed one in the parser DLQ', async () => {
    const topology = testTopology();
    const bucket = topology.source.s3.bucket;
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));

    const samples = generateSampleObjects({ objects: OBJECTS, recordsPerObject: RECORDS_PER_OBJECT, malformedEvery: MALFORMED_EVERY });
    expect(samples.some((s) => s.key.endsWith('.gz')) && samples.some((s) => !s.key.endsWith('.gz'))).toBe(true);
    await uploadSampleObjects(createS3Client(topology.source.s3), bucket, samples);
    const valid = samples.reduce((n, s) => n + s.valid, 0);
    const malformed = samples.reduce((n, s) => n + s.malformed, 0);
    expect(valid + malformed).toBeGreaterThanOrEqual(10_000);

    for (const name of stageNames(topology)) stages.push(await startStage(topology, name));

    await waitFor(
      'the emulator to hold every valid record',
      async () => ((await acceptedFrom(bucket)).length >= valid ? true : undefined),
      240_000,
    );
    // let anything duplicated or late arrive before counting
    await new Promise((r) => setTimeout(r, 3_000));
    const accepted = await acceptedFrom(bucket);
    expect(accepted).toHaveLength(valid);

    const ids = accepted.map((r) => r.record.EventId);
    expect(new Set(ids).size).toBe(valid);
    const positions = new Set(accepted.map((r) => `${r.record.SourceKey}#${r.record.SourceRecordNumber}`));
    expect(positions.size).toBe(valid);

    const tableOf: Record<string, string> = {
      NetworkSession: LOCAL_STREAMS['Custom-SiemNetworkSession'],
      Authentication: LOCAL_STREAMS['Custom-SiemAuthentication'],
    };
    for (const r of accepted) expect(r.table).toBe(tableOf[String(r.record.EventSchema)]);
    const perTable = (table: string) => accepted.filter((r) => r.table === table).length;
    const validOf = (logType: string) => samples.filter((s) => s.logType === logType).reduce((n, s) => n + s.valid, 0);
    expect(perTable(tableOf.NetworkSession as string)).toBe(validOf('firewall'));
    expect(perTable(tableOf.Authentication as string)).toBe(validOf('auth'));
    for (const r of accepted) expect(Number(r.record.WindowEventCount)).toBeGreaterThanOrEqual(1);

    const dlq = await readAll(kafka, names.dlq('parser'));
    expect(dlq).toHaveLength(malformed);
    for (const message of dlq) {
      const headers = readHeaders(message.message.headers);
      expect(headers[DLQ_HEADER.stage]).toBe('parser');
      expect(headers[DLQ_HEADER.errorCode]).toMatch(/^RECORD_(UNPARSEABLE|INVALID)$/);
      expect(headers[DLQ_HEADER.errorMessage]).toBeTruthy();
      expect(headers[DLQ_HEADER.topic]).toMatch(/raw\.(firewall|auth)$/);
      expect(headers[DLQ_HEADER.offset]).toMatch(/^\d+$/);
      expect(headers[RAW_HEADER.bucket]).toBe(bucket);
    }
    const dlqPositions = new Set(
      dlq.map((m) => `${readHeaders(m.message.headers)[RAW_HEADER.key]}#${readHeaders(m.message.headers)[RAW_HEADER.recordNumber]}`),
    );
    expect(dlqPositions.size).toBe(malformed);
    for (const p of dlqPositions) expect(positions.has(p)).toBe(false);
    for (const sinkDlq of [names.dlq('enricher'), names.dlq('sentinel')]) expect(await readAll(kafka, sinkDlq)).toHaveLength(0);
  });
});
