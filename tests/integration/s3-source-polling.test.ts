import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import type { Kafka } from '../../src/kafka/client.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { metricsRegistry } from '../../src/observability/metrics.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { OVERSIZE_HEADER } from '../../src/stages/s3-source/object-ingester.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { exited, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { countRecords, createBucket, objectProgress, put } from './s3-source-support.js';

const CLOUDTRAIL = {
  cloudtrail: { format: 'json', eventSchema: 'AuditEvent', product: 'CloudTrail', vendor: 'AWS', fieldMap: { TimeGenerated: 'eventTime' } },
};
const CLOUDTRAIL_ROUTE = { match: 'AWSLogs/*/CloudTrail/**', logType: 'cloudtrail', framing: 'json-records' };

interface Setup {
  topology: Topology;
  kafka: Kafka;
  s3: S3Client;
  bucket: string;
  names: ReturnType<typeof topicNames>;
}

async function setup(overrides: Record<string, unknown>): Promise<Setup> {
  const topology = testTopology(overrides);
  const kafka = createKafka(topology.kafka, 'test');
  await ensureTopics(kafka, topologyTopics(topology));
  const s3 = createS3Client(topology.source.s3);
  await createBucket(s3, topology.source.s3.bucket);
  return { topology, kafka, s3, bucket: topology.source.s3.bucket, names: topicNames(topology) };
}

async function rawValues(kafka: Kafka, topic: string): Promise<Array<{ key: string; n: number; value: string }>> {
  return (await readAll(kafka, topic)).map(({ message }) => {
    const h = readHeaders(message.headers);
    return { key: h[RAW_HEADER.key] as string, n: Number(h[RAW_HEADER.recordNumber]), value: message.value?.toString() ?? '' };
  });
}

async function untilDone(s: Setup, count: number) {
  return waitFor(`${count} objects finished`, async () => {
    // right after topics are created a broker may briefly answer "not the leader": just ask again
    const progress = await objectProgress(s.kafka, s.names.sourceOffsets).catch(() => []);
    return progress.filter((p) => p.done).length >= count ? progress : undefined;
  });
}

describe('s3-source polling against the real S3 server', () => {
  const running: RunningStage[] = [];
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((s) => s.stop()));
  });

  it('reads BOM/CRLF, multi-member gzip, zstd and CloudTrail Records; caps a record to the DLQ; records a corrupt gzip as failed', async () => {
    const s = await setup({
      logTypes: CLOUDTRAIL,
      source: {
        s3: {
          maxRecordBytes: 1_000,
          dlqRecordHeadBytes: 64,
          routes: [{ match: 'firewall/**', logType: 'firewall' }, { match: 'auth/**', logType: 'auth' }, CLOUDTRAIL_ROUTE],
        },
      },
    });
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    await put(s.s3, s.bucket, 'firewall/bom-crlf.log', Buffer.concat([bom, Buffer.from('{"n":1}\r\n{"n":2}\r\n\r\n{"n":3}')]));
    await put(s.s3, s.bucket, 'firewall/multi-member.log.gz', Buffer.concat([gzipSync('m1\nm2\n'), gzipSync('m3\nm4\n')]));
    await put(s.s3, s.bucket, 'auth/frames.log.zst', readFileSync('tests/unit/stages/s3-source-fixtures/6000-lines-two-frames.log.zst'));
    const trail = {
      Records: [{ eventName: 'A', eventTime: '2026-11-23T00:00:00Z' }, { eventName: 'B', nested: { Records: [1] } }, { eventName: 'C' }],
    };
    await put(s.s3, s.bucket, 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/23/trail.json.gz', gzipSync(JSON.stringify(trail)));
    await put(s.s3, s.bucket, 'firewall/oversize.log', `before\n${'x'.repeat(5_000)}\nafter\n`);
    const corrupt = gzipSync(Buffer.from(Array.from({ length: 5_000 }, (_, i) => `c${i}`).join('\n')));
    await put(s.s3, s.bucket, 'firewall/corrupt.log.gz', Buffer.concat([corrupt.subarray(0, 30), Buffer.alloc(300, 0x33)]));
    await put(s.s3, s.bucket, 'unrouted/ignored.log', 'never\n');

    running.push(await startStage(s.topology, 's3-source'));
    const progress = await untilDone(s, 6);
    const failed = progress.filter((p) => p.failed);
    expect(failed.map((p) => [p.key, p.failed?.code])).toEqual([['firewall/corrupt.log.gz', 'SOURCE_OBJECT_UNREADABLE']]);
    expect(progress.find((p) => p.key === 'auth/frames.log.zst')?.nextRecord).toBe(6_000);

    const firewall = await rawValues(s.kafka, s.names.raw('firewall'));
    const of = (key: string) =>
      firewall
        .filter((r) => r.key === key)
        .sort((a, b) => a.n - b.n)
        .map((r) => `${r.n}:${r.value}`);
    expect(of('firewall/bom-crlf.log')).toEqual(['0:{"n":1}', '1:{"n":2}', '2:{"n":3}']);
    expect(of('firewall/multi-member.log.gz')).toEqual(['0:m1', '1:m2', '2:m3', '3:m4']);
    expect(of('firewall/oversize.log')).toEqual(['0:before', '2:after']);
    const auth = await rawValues(s.kafka, s.names.raw('auth'));
    expect(auth.map((r) => JSON.parse(r.value).n).sort((a, b) => a - b)).toEqual(Array.from({ length: 6_000 }, (_, i) => i));
    const ct = await rawValues(s.kafka, s.names.raw('cloudtrail'));
    expect(ct.sort((a, b) => a.n - b.n).map((r) => JSON.parse(r.value))).toEqual(trail.Records);

    const dlq = (await readAll(s.kafka, s.names.dlq('s3-source'))).map((m) => ({
      h: readHeaders(m.message.headers),
      value: m.message.value,
    }));
    const tooLarge = dlq.find((d) => d.h[DLQ_HEADER.errorCode] === 'RECORD_TOO_LARGE');
    expect(tooLarge?.h[RAW_HEADER.key]).toBe('firewall/oversize.log');
    expect(tooLarge?.h[RAW_HEADER.recordNumber]).toBe('1');
    expect(tooLarge?.h[OVERSIZE_HEADER]).toBe('5000');
    expect(tooLarge?.value?.toString()).toBe('x'.repeat(64));
    const unreadable = dlq.find((d) => d.h[DLQ_HEADER.errorCode] === 'SOURCE_OBJECT_UNREADABLE');
    expect(unreadable?.h[RAW_HEADER.key]).toBe('firewall/corrupt.log.gz');
    expect(unreadable?.h[DLQ_HEADER.errorMessage]).toMatch(/corrupt gzip/);
    expect(unreadable?.h[DLQ_HEADER.topic]).toBe(s.names.sourceWork);
    expect(dlq).toHaveLength(2);
    expect(progress.some((p) => p.key.startsWith('unrouted/'))).toBe(false);

    // the source's own metrics moved (objects by result, bytes, records by outcome)
    const metrics = await metricsRegistry.metrics();
    expect(metrics).toMatch(/siem_s3_objects_total\{result="completed"\} [1-9]/);
    expect(metrics).toMatch(/siem_s3_objects_total\{result="failed"\} [1-9]/);
    expect(metrics).toMatch(/siem_s3_bytes_total [1-9]/);
    expect(metrics).toMatch(/siem_s3_records_total\{outcome="oversize"\} [1-9]/);
    expect(metrics).toMatch(/siem_s3_oldest_pending_object_age_seconds /);
  });

  it('polls several locations from a watermark, finds late keys within the look-back, honours since, and resumes without re-reading', async () => {
    const s = await setup({});
    const other = `${s.bucket}-b`;
    await createBucket(s.s3, other);
    await put(s.s3, s.bucket, 'firewall/a-1.log', 'old\n');
    // S3 keeps LastModified in whole seconds: since = the start of a later second
    await new Promise((r) => setTimeout(r, 2_000 - (Date.now() % 1_000)));
    const since = new Date(Math.floor(Date.now() / 1_000) * 1_000).toISOString();
    const topology = testTopology({
      name: s.topology.name,
      topics: s.topology.topics,
      kafka: s.topology.kafka,
      source: {
        s3: {
          bucket: s.bucket,
          transactionalId: s.topology.source.s3.transactionalId,
          since,
          lookBackMs: 120_000,
          locations: [
            { bucket: s.bucket, prefix: 'firewall/' },
            { bucket: other, prefix: 'auth/' },
          ],
        },
      },
    });
    const t: Setup = { ...s, topology };
    await put(s.s3, s.bucket, 'firewall/a-2.log', 'f2a\nf2b\n');
    await put(s.s3, s.bucket, 'firewall/a-5.log', 'f5\n');
    await put(s.s3, other, 'auth/x-1.log', 'x1\n');
    const first = await startStage(topology, 's3-source');
    running.push(first);
    await untilDone(t, 3);
    // a key below the watermark (a-5), arriving late: the look-back window finds it
    await put(s.s3, s.bucket, 'firewall/a-3.log', 'f3\n');
    await untilDone(t, 4);
    await first.stop();
    running.splice(0);

    const second = await startStage(topology, 's3-source');
    running.push(second);
    await put(s.s3, other, 'auth/x-2.log', 'x2\n');
    await untilDone(t, 5);
    await new Promise((r) => setTimeout(r, 2_000)); // several more passes: nothing may be read twice
    expect(second.source?.stats.objectsCompleted).toBe(1);

    const count = await countRecords(s.kafka, s.names.allRaw);
    expect(count.duplicates).toBe(0);
    expect([...count.perObject.keys()].sort()).toEqual([
      'auth/x-1.log',
      'auth/x-2.log',
      'firewall/a-2.log',
      'firewall/a-3.log',
      'firewall/a-5.log',
    ]);
    expect(count.total).toBe(6);
    const progress = await objectProgress(s.kafka, s.names.sourceOffsets);
    expect(progress.find((p) => p.key === 'auth/x-1.log')?.bucket).toBe(other);
  });

  it('without a look-back window, a key below the watermark is not listed (the watermark is what is persisted)', async () => {
    const s = await setup({ source: { s3: { lookBackMs: 0 } } });
    await put(s.s3, s.bucket, 'firewall/k-5.log', 'k5\n');
    running.push(await startStage(s.topology, 's3-source'));
    await untilDone(s, 1);
    await put(s.s3, s.bucket, 'firewall/k-3.log', 'k3\n');
    await put(s.s3, s.bucket, 'firewall/k-7.log', 'k7\n');
    await untilDone(s, 2);
    await new Promise((r) => setTimeout(r, 2_000));
    const keys = (await objectProgress(s.kafka, s.names.sourceOffsets)).map((p) => p.key).sort();
    expect(keys).toEqual(['firewall/k-5.log', 'firewall/k-7.log']);

    // a work record that is not a work item goes to the DLQ and does not stop the readers
    const producer = s.kafka.producer();
    await producer.connect();
    await producer.send({ topic: s.names.sourceWork, messages: [{ key: 'x', value: 'not a work item' }] });
    await producer.disconnect();
    await put(s.s3, s.bucket, 'firewall/k-9.log', 'k9\n');
    await untilDone(s, 3);
    const dlq = await waitFor('the DLQ record', async () => {
      const records = await readAll(s.kafka, s.names.dlq('s3-source'));
      return records.length > 0 ? records : undefined;
    });
    expect(readHeaders(dlq[0]?.message.headers)[DLQ_HEADER.errorCode]).toBe('RECORD_UNPARSEABLE');
    expect(dlq[0]?.message.value?.toString()).toBe('not a work item');
  });

  it('shares objects between two instances without reading one twice, and re-ingests a prefix through the CLI', async () => {
    const s = await setup({ source: { s3: { chunkRecords: 100 } } });
    const a = await startStage(s.topology, 's3-source');
    const b = await startStage(s.topology, 's3-source');
    running.push(a, b);
    // the group has settled when each instance owns work partitions and together they own them all, once
    const { partitions } = s.topology.topics;
    await waitFor('both instances to own work partitions', async () => {
      const owned = [a, b].map((stage) => stage.source?.workPartitions ?? []);
      const all = owned.flat();
      return owned.every((p) => p.length > 0) && all.length === partitions && new Set(all).size === partitions ? true : undefined;
    });
    for (let o = 0; o < 12; o++) {
      await put(
        s.s3,
        s.bucket,
        // a folder each: one source stream each (source.s3.order: stream), spread over the work partitions
        `${o % 2 ? 'auth' : 'firewall'}/site-${o}/shared.log`,
        `${Array.from({ length: 700 }, (_, r) => `${o}.${r}`).join('\n')}\n`,
      );
    }
    await untilDone(s, 12);
    expect(a.source?.stats.objectsCompleted).toBeGreaterThan(0);
    expect(b.source?.stats.objectsCompleted).toBeGreaterThan(0);
    expect((a.source?.stats.objectsCompleted ?? 0) + (b.source?.stats.objectsCompleted ?? 0)).toBe(12);
    const once = await countRecords(s.kafka, s.names.allRaw);
    expect([once.total, once.duplicates]).toEqual([12 * 700, 0]);

    const file = `${tmpdir()}/reingest-${s.bucket}.yaml`;
    writeFileSync(file, stringify(s.topology));
    const cli = spawn(
      process.execPath,
      ['dist/cli/main.js', 's3', 'reingest', file, '--prefix', 'firewall/site-1', '--log-file', `${file}.log`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const end = await exited(cli);
    expect(end.code, output).toBe(0);
    // only firewall/site-10/ has this prefix (site-1 is an auth folder): its object is read once more, nothing else
    expect(output).toMatch(/1 objects enqueued, 1 finished/);
    const twice = await countRecords(s.kafka, s.names.allRaw);
    expect(twice.total).toBe(12 * 700 + 700);
    for (const [key, seen] of twice.perObject) {
      const expected = key === 'firewall/site-10/shared.log' ? 2 : 1;
      expect([key, [...seen.values()].every((n) => n === expected)]).toEqual([key, true]);
    }
  });
});
