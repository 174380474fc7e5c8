import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { stageReady } from '../../src/observability/readiness.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { s3FaultProxy } from '../support/s3-fault-proxy.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { albLines, cloudTrailDocument } from './s3-source-record-sizes-support.js';
import { countRecords, createBucket, objectProgress, put } from './s3-source-support.js';

const CLOUDTRAIL_KEY = 'AWSLogs/888888888888/CloudTrail/us-east-1/2026/11/01/888888888888_CloudTrail_us-east-1_20261101T0800Z_a.json.gz';
/** the firewall raw topic gets a topic-level max.message.bytes below the source's maxRecordBytes */
const FIREWALL_LIMIT = 262_144;

/** A gzip whose deflate stream is damaged half-way: the first lines may decode, then zlib fails. */
function corruptGzip(lines: string[]): Buffer {
  const good = gzipSync(lines.join('\n'));
  const bad = Buffer.from(good);
  for (let i = Math.floor(bad.length / 2); i < bad.length - 8; i++) bad[i] = (bad[i] as number) ^ 0x5a;
  return bad;
}

function padded(prefix: string, bytes: number): string {
  return `{"note":"${prefix}","pad":"${'x'.repeat(bytes - prefix.length - 21)}"}`;
}

describe('s3-source record sizes and poison objects', () => {
  const running: RunningStage[] = [];
  let proxy: Server | undefined;
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((s) => s.stop()));
    proxy?.close();
  });

  it('bounds chunks by bytes, dead-letters oversize records and poison objects, and goes on reading', async () => {
    const stack = inject('stack');
    const faults = await s3FaultProxy(stack.s3.endpoint, [
      { matches: (path) => path.includes('b-always-500'), status: 500, code: 'InternalError' },
      { matches: (path) => path.includes('c-denied'), status: 403, code: 'AccessDenied' },
    ]);
    proxy = faults.server;
    const topology: Topology = testTopology({
      topics: { partitions: 1 }, // every object on the one work partition: the poison objects come first
      source: {
        s3: {
          endpoint: faults.url,
          routes: [
            { match: 'AWSLogs/*/CloudTrail/**', logType: 'cloudtrail', framing: 'json-records' },
            { match: 'alb/**', logType: 'alb' },
            { match: 'firewall/**', logType: 'firewall' },
          ],
          retry: { attempts: 3, baseMs: 50, capMs: 300 },
        },
      },
    });
    const names = topicNames(topology);
    const bucket = topology.source.s3.bucket;
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(
      kafka,
      topologyTopics(topology).map((spec) =>
        spec.topic === names.raw('firewall')
          ? { ...spec, configEntries: [{ name: 'max.message.bytes', value: String(FIREWALL_LIMIT) }] }
          : spec,
      ),
    );
    const s3 = createS3Client({ ...topology.source.s3, endpoint: stack.s3.endpoint });
    await createBucket(s3, bucket);

    const alb = albLines(4_000, 600);
    const albBytes = alb.reduce((n, l) => n + l.length + 1, 0);
    expect(albBytes / alb.length).toBeGreaterThan(560);
    const trail = cloudTrailDocument(5_000, 2_048);
    const sizes = [
      padded('small-0', 200),
      padded('just-under', FIREWALL_LIMIT - 16 * 1024),
      padded('small-2', 200),
      padded('just-over', FIREWALL_LIMIT + 1024),
      padded('small-4', 200),
    ];
    await put(s3, bucket, CLOUDTRAIL_KEY, gzipSync(trail.text));
    await put(s3, bucket, 'alb/a-corrupt.log.gz', corruptGzip(albLines(3_000, 600, 7)));
    await put(s3, bucket, 'alb/b-always-500.log', 'never read\n');
    await put(s3, bucket, 'alb/c-denied.log', 'never read\n');
    await put(s3, bucket, 'alb/d-elb-4000.log.gz', gzipSync(`${alb.join('\n')}\n`));
    await put(s3, bucket, 'alb/e-after.log', 'after-0\nafter-1\n');
    await put(s3, bucket, 'firewall/sizes.log', `${sizes.join('\n')}\n`);

    const stage = await startStage(topology, 's3-source');
    running.push(stage);
    const source = stage.source;
    if (!source) throw new Error('the s3-source stage exposes its source');
    let failure: unknown;
    source.failed.catch((error: unknown) => {
      failure = error;
    });

    const finished = (keys: string[]) =>
      waitFor(
        `${keys.join(', ')} to finish`,
        async () => {
          if (failure) throw failure;
          const progress = await objectProgress(kafka, names.sourceOffsets).catch(() => []);
          return keys.every((k) => progress.some((p) => p.key === k && p.done)) ? progress : undefined;
        },
        240_000,
        2_000,
      );
    const keys = [
      CLOUDTRAIL_KEY,
      'alb/a-corrupt.log.gz',
      'alb/b-always-500.log',
      'alb/c-denied.log',
      'alb/d-elb-4000.log.gz',
      'alb/e-after.log',
      'firewall/sizes.log',
    ];
    const progress = await finished(keys);
    const of = (key: string) => progress.find((p) => p.key === key);
    expect(of(CLOUDTRAIL_KEY)).toMatchObject({ nextRecord: 5_000, done: true });
    expect(of(CLOUDTRAIL_KEY)?.failed).toBeUndefined();
    expect(of('alb/d-elb-4000.log.gz')).toMatchObject({ nextRecord: 4_000, done: true });
    expect(of('alb/d-elb-4000.log.gz')?.failed).toBeUndefined();
    expect(of('alb/e-after.log')).toMatchObject({ nextRecord: 2, done: true });
    expect(of('firewall/sizes.log')).toMatchObject({ nextRecord: 5, done: true });
    for (const poison of ['alb/a-corrupt.log.gz', 'alb/b-always-500.log', 'alb/c-denied.log']) {
      expect(of(poison)?.failed?.code, poison).toBe('SOURCE_OBJECT_UNREADABLE');
    }
    expect(of('alb/b-always-500.log')?.failed?.message).toMatch(/3 attempts/);
    // every GET of the 500 object was answered by the proxy: 3 attempts, then dead-lettered; the denied one once
    expect(faults.answered()).toBe(4);

    // every record once, read_committed, by (object, record number); the oversize one is not in raw
    const count = await countRecords(kafka, names.allRaw);
    expect(count.duplicates).toBe(0);
    const numbers = (key: string) => [...(count.perObject.get(key)?.keys() ?? [])].sort((a, b) => a - b);
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(numbers(CLOUDTRAIL_KEY)).toEqual(range(5_000));
    expect(numbers('alb/d-elb-4000.log.gz')).toEqual(range(4_000));
    expect(numbers('alb/e-after.log')).toEqual([0, 1]);
    expect(numbers('firewall/sizes.log')).toEqual([0, 1, 2, 4]);
    expect(numbers('alb/a-corrupt.log.gz')).toEqual(range(of('alb/a-corrupt.log.gz')?.nextRecord ?? -1));
    expect(numbers('alb/b-always-500.log')).toEqual([]);

    // dead letters, each with its context
    const dlq = (await readAll(kafka, names.dlq('s3-source'))).map(({ message }) => ({
      headers: readHeaders(message.headers),
      value: message.value,
    }));
    const oversize = dlq.find((d) => d.headers[RAW_HEADER.key] === 'firewall/sizes.log');
    expect(oversize?.headers).toMatchObject({
      [DLQ_HEADER.errorCode]: 'RECORD_TOO_LARGE',
      [RAW_HEADER.bucket]: bucket,
      [RAW_HEADER.recordNumber]: '3',
      'siem.s3.record.bytes': String(Buffer.byteLength(sizes[3] as string)),
      'siem.s3.record.limit': expect.stringMatching(/^\d+$/),
      'siem.dlq.value.truncated': 'true',
    });
    expect(Number(oversize?.headers['siem.s3.record.limit'])).toBeLessThan(FIREWALL_LIMIT);
    expect(oversize?.value?.length).toBeLessThan(FIREWALL_LIMIT);
    expect(oversize?.value?.toString()).toBe((sizes[3] as string).slice(0, oversize?.value?.length));
    for (const poison of ['alb/a-corrupt.log.gz', 'alb/b-always-500.log', 'alb/c-denied.log']) {
      const letter = dlq.find((d) => d.headers[RAW_HEADER.key] === poison);
      expect(letter?.headers, poison).toMatchObject({
        [DLQ_HEADER.errorCode]: 'SOURCE_OBJECT_UNREADABLE',
        [RAW_HEADER.bucket]: bucket,
        [RAW_HEADER.etag]: of(poison)?.etag,
        [DLQ_HEADER.topic]: names.sourceWork,
      });
    }
    expect(dlq.find((d) => d.headers[RAW_HEADER.key] === 'alb/b-always-500.log')?.headers[DLQ_HEADER.attempts]).toBe('3');

    // alive and ready: a new object behind all of them is read
    expect(stageReady('s3-source')).toBe(true);
    await put(s3, bucket, 'alb/f-new.log', 'new-0\nnew-1\nnew-2\n');
    const later = await finished(['alb/f-new.log']);
    expect(later.find((p) => p.key === 'alb/f-new.log')).toMatchObject({ nextRecord: 3, done: true });
    expect(failure).toBeUndefined();
  });
});
