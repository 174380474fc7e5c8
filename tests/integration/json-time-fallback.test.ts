import { readFileSync } from 'node:fs';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { emulatorGet } from '../../src/dev/emulator-stats.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { createBucket, put } from './s3-source-support.js';

interface EmulatorRecord {
  record: Record<string, unknown>;
}

const LINES = 25;
const lines = (tag: string) =>
  `${Array.from({ length: LINES }, (_, i) => JSON.stringify({ client: `10.0.0.${i + 1}`, msg: `${tag} ${i}` })).join('\n')}\n`;

describe('json log types without a TimeGenerated mapping, through the whole pipeline', () => {
  let stop: (() => Promise<unknown>) | undefined;
  afterAll(async () => {
    await stop?.();
  });

  it("take the S3 object's LastModified or the raw record's Kafka timestamp, as configured, and the loader says which", async () => {
    const topology = testTopology({
      logTypes: {
        app: { format: 'json', fieldMap: { SrcIpAddr: 'client' } },
        ingest: { format: 'json', fieldMap: { SrcIpAddr: 'client' }, timeFallback: 'kafka-timestamp' },
      },
      source: {
        s3: {
          routes: [
            { match: 'app/**', logType: 'app' },
            { match: 'ingest/**', logType: 'ingest' },
          ],
        },
      },
    });
    const bucket = topology.source.s3.bucket;
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const s3 = createS3Client(topology.source.s3);
    await createBucket(s3, bucket);
    await put(s3, bucket, 'app/2026/11/23/app.log', lines('app'));
    await put(s3, bucket, 'ingest/2026/11/23/ingest.log', lines('ingest'));
    const lastModified = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'app/2026/11/23/app.log' }))).LastModified?.getTime();
    expect(lastModified).toBeGreaterThan(0);

    const all = spawnStage(topology, '--all');
    stop = async () => {
      all.kill('SIGTERM');
      return exited(all);
    };
    const stack = inject('stack');
    const accepted = async () =>
      (await emulatorGet<{ records: EmulatorRecord[] }>(stack.emulatorUrl, stack.emulatorCaFile, '/_emulator/records')).records
        .map((r) => r.record)
        .filter((r) => r.SourceBucket === bucket);
    const records = await waitFor(
      'every record at the emulator',
      async () => {
        if (all.exitCode !== null) throw new Error(`the pipeline exited (${all.exitCode}); log: ${all.logFile}`);
        const got = await accepted();
        return got.length >= 2 * LINES ? got : undefined;
      },
      240_000,
    );
    expect(records).toHaveLength(2 * LINES);

    const app = records.filter((r) => r.LogType === 'app');
    expect(app).toHaveLength(LINES);
    for (const r of app) {
      expect(Date.parse(String(r.TimeGenerated))).toBe(lastModified);
      expect(r.AdditionalFields).toMatchObject({ TimeGeneratedSource: 'object-last-modified' });
    }

    // the raw records carry the object's LastModified; the kafka-timestamp log type takes each record's own timestamp instead
    const raw = await readAll(kafka, names.raw('ingest'));
    expect(raw).toHaveLength(LINES);
    const kafkaTime = new Map(
      raw.map((m) => [Number(readHeaders(m.message.headers)[RAW_HEADER.recordNumber]), Number(m.message.timestamp)]),
    );
    for (const m of raw) expect(Date.parse(readHeaders(m.message.headers)[RAW_HEADER.lastModified] ?? '')).toBeGreaterThan(0);
    const ingest = records.filter((r) => r.LogType === 'ingest');
    expect(ingest).toHaveLength(LINES);
    for (const r of ingest) {
      expect(Date.parse(String(r.TimeGenerated))).toBe(kafkaTime.get(Number(r.SourceRecordNumber)));
      expect(r.AdditionalFields).toMatchObject({ TimeGeneratedSource: 'kafka-timestamp' });
    }
    expect(await readAll(kafka, names.dlq('parser'))).toHaveLength(0);

    const log = readFileSync(all.logFile, 'utf8');
    expect(log).toContain(`log type \\"app\\" maps no TimeGenerated: its events take the time of their S3 object's LastModified`);
    expect(log).toContain(`log type \\"ingest\\" maps no TimeGenerated: its events take the time of their raw record's Kafka timestamp`);
    const stopped = await stop();
    stop = undefined;
    expect(stopped).toMatchObject({ code: 0 });
  });
});
