import { createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { countRecords, createBucket, logTail, objectProgress, peakRssBytes, put } from './s3-source-support.js';

const UNCOMPRESSED_BYTES = 200 * 1024 * 1024;
const LINE_BYTES = 256;
const RECORDS = Math.ceil(UNCOMPRESSED_BYTES / LINE_BYTES);
const RSS_BOUND = 256 * 1024 * 1024;

/** ~200 MiB of 256-byte JSON lines, gzipped as a stream. */
async function bigGzip(): Promise<Buffer> {
  const gzip = createGzip({ level: 1 });
  const parts: Buffer[] = [];
  gzip.on('data', (d: Buffer) => parts.push(d));
  const ended = new Promise((resolve) => gzip.on('end', resolve));
  const pad = 'p'.repeat(LINE_BYTES);
  for (let r = 0; r < RECORDS; r += 4_096) {
    let block = '';
    for (let i = r; i < Math.min(RECORDS, r + 4_096); i++) {
      const head = `{"n":${i},"src":"10.${i % 250}.${(i >> 8) % 250}.1","pad":"`;
      block += `${head}${pad.slice(0, LINE_BYTES - head.length - 3)}"}\n`;
    }
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  return Buffer.concat(parts);
}

describe('s3-source memory', () => {
  it(`streams a gzip object of ${UNCOMPRESSED_BYTES / 1024 / 1024} MiB uncompressed with a peak RSS under 256 MiB`, async () => {
    const topology = testTopology({ source: { s3: { chunkRecords: 2_000 } } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const s3 = createS3Client(topology.source.s3);
    await createBucket(s3, topology.source.s3.bucket);
    const body = await bigGzip();
    await put(s3, topology.source.s3.bucket, 'firewall/huge.log.gz', body);

    const source = spawnStage(topology, 's3-source');
    let peak = 0;
    try {
      await waitFor(
        'the object to be done',
        async () => {
          peak = Math.max(peak, peakRssBytes(source.pid as number) ?? 0);
          const p = await objectProgress(kafka, names.sourceOffsets);
          return p[0]?.done ? p[0] : undefined;
        },
        300_000,
        2_000,
      );
      peak = Math.max(peak, peakRssBytes(source.pid as number) ?? 0);
    } finally {
      source.kill('SIGTERM');
      await exited(source);
    }
    const progress = (await objectProgress(kafka, names.sourceOffsets))[0];
    expect(progress?.nextRecord, logTail(source.logFile)).toBe(RECORDS);
    expect(progress?.failed).toBeUndefined();
    process.stderr.write(
      `[s3-source memory] ${RECORDS} records, ${(body.length / 1e6).toFixed(1)} MB gzip, peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB\n`,
    );
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(RSS_BOUND);
    const count = await countRecords(kafka, [names.raw('firewall')]);
    expect([count.total, count.duplicates]).toEqual([RECORDS, 0]);
  });
});
