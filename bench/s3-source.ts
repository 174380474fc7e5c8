/**
 * npm run bench:s3-source — S3 → Kafka throughput of the source (transactions on, one process)
 * beside a plain producer (librdkafka's KafkaJS API) writing the same records in the same run, on a local stack of
 * its own (ports shifted by SIEM_STREAM_TEST_PORT_OFFSET + 500, home .stack-bench).
 * Sizes: SIEM_STREAM_BENCH_OBJECTS (20) × SIEM_STREAM_BENCH_RECORDS (25,000) sample records.
 * SIEM_STREAM_BENCH_ORDER: the source's read order, `stream` (the default; the samples are 2 streams) or `object`.
 */

import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { topicNames } from '../src/config/topics.js';
import { localStackDown, localStackUp, shiftedStackPorts } from '../src/dev/local-stack.js';
import { localTopology } from '../src/dev/local-topology.js';
import { generateSampleObjects, uploadSampleObjects } from '../src/dev/sample-logs.js';
import { ensureTopics, topologyTopics } from '../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../src/kafka/client-factory.js';
import { readAll } from '../src/kafka/read-topic.js';
import { rawRecordMessage } from '../src/schemas/raw-record.js';
import type { SourceState } from '../src/stages/s3-source/progress-store.js';
import { createS3Client } from '../src/stages/s3-source/s3-client.js';

const OBJECTS = Number(process.env.SIEM_STREAM_BENCH_OBJECTS ?? 20);
const RECORDS = Number(process.env.SIEM_STREAM_BENCH_RECORDS ?? 25_000);
/** the source's chunkRecords (default 2,000); the baseline sends batches of the same size */
const CHUNK = Number(process.env.SIEM_STREAM_BENCH_CHUNK ?? 2_000);
const ORDER = process.env.SIEM_STREAM_BENCH_ORDER === 'object' ? 'object' : 'stream';
const offset = Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0) + 500;
const HOME = '.stack-bench';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  process.stderr.write('[bench] starting a local stack…\n');
  const stack = await localStackUp({
    home: HOME,
    ...shiftedStackPorts(offset),
  });
  try {
    const id = randomUUID().slice(0, 8);
    const topology = localTopology(stack, `b${id}`, { source: { s3: { chunkRecords: CHUNK, order: ORDER } } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'bench');
    await ensureTopics(kafka, [
      ...topologyTopics(topology),
      { topic: `b${id}.baseline`, numPartitions: topology.topics.partitions, replicationFactor: 1 },
    ]);
    const samples = generateSampleObjects({ objects: OBJECTS, recordsPerObject: RECORDS, malformedEvery: 0, seed: 7 });
    const lines = samples.map((s) => (s.key.endsWith('.gz') ? gunzipSync(s.body) : s.body).toString().split(/\r?\n/).filter(Boolean));
    const totalRecords = lines.reduce((n, l) => n + l.length, 0);
    const totalBytes = lines.reduce((n, l) => n + l.reduce((m, x) => m + Buffer.byteLength(x), 0), 0);
    const storedBytes = samples.reduce((n, s) => n + s.body.length, 0);
    process.stderr.write(
      `[bench] ${OBJECTS} objects, ${totalRecords} records, ${fmt(totalBytes / 1e6)} MB of records (${fmt(storedBytes / 1e6)} MB stored)\n`,
    );
    await uploadSampleObjects(createS3Client(topology.source.s3), topology.source.s3.bucket, samples);

    // baseline: a plain (non-transactional, idempotent) producer writing the same records
    // (key, value and the source's headers), in batches of the same size
    const producer = kafka.producer({ kafkaJS: { ...PRODUCER_DEFAULTS.kafkaJS, maxInFlightRequests: 1 } });
    await producer.connect();
    const baselineLatencies: number[] = [];
    const baselineStart = performance.now();
    for (const [o, objectLines] of lines.entries()) {
      const sample = samples[o] as (typeof samples)[number];
      const bucket = topology.source.s3.bucket;
      const etag = createHash('md5').update(sample.body).digest('hex');
      for (let i = 0; i < objectLines.length; i += CHUNK) {
        const t = performance.now();
        const messages = objectLines
          .slice(i, i + CHUNK)
          .map((value, j) => rawRecordMessage({ bucket, key: sample.key, etag, logType: sample.logType }, i + j, value));
        await producer.send({ topic: `b${id}.baseline`, messages }); // acks=all: a producer setting (PRODUCER_DEFAULTS)
        baselineLatencies.push(performance.now() - t);
      }
    }
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    await producer.disconnect();

    // the source, as its own process, with peak RSS from /proc
    const dir = mkdtempSync(join(tmpdir(), 'siem-bench-'));
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, stringify(topology));
    const log = openSync(join(dir, 's3-source.log'), 'a');
    const spawnedAt = performance.now();
    const source = spawn(process.execPath, ['dist/cli/main.js', 'run', file, '--stage', 's3-source', '--metrics-port', '0'], {
      stdio: ['ignore', log, log],
    });
    let peakRss = 0;
    let progress: SourceState[] = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, 1_000));
      const status = readFileSync(`/proc/${source.pid}/status`, 'utf8');
      peakRss = Math.max(peakRss, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
      const latest = new Map<string, SourceState>();
      progress = (await readAll(kafka, names.sourceOffsets).catch(() => [])).map(
        ({ message }) => JSON.parse(String(message.value)) as SourceState,
      );
      for (const p of progress) if (p.kind === 'object') latest.set(`${p.key}@${p.etag}`, p);
      if ([...latest.values()].filter((p) => p.kind === 'object' && p.done).length >= OBJECTS) break;
      if (performance.now() - spawnedAt > 600_000) throw new Error('the source did not finish within 10 minutes');
    }
    const wallSeconds = (performance.now() - spawnedAt) / 1000;
    source.kill('SIGTERM');
    const objectUpdates = progress.filter((p) => p.kind === 'object').map((p) => ({ key: p.key, at: Date.parse(p.updatedAt) }));
    const first = Math.min(...objectUpdates.map((u) => u.at));
    const last = Math.max(...objectUpdates.map((u) => u.at));
    // the first chunk's own time is not inside [first, last]: add one median chunk interval
    const intervals: number[] = [];
    const byKey = new Map<string, number[]>();
    for (const u of objectUpdates) byKey.set(u.key, [...(byKey.get(u.key) ?? []), u.at]);
    for (const times of byKey.values())
      for (let i = 1; i < times.length; i++) intervals.push((times[i] as number) - (times[i - 1] as number));
    intervals.sort((a, b) => a - b);
    baselineLatencies.sort((a, b) => a - b);
    const steadySeconds = (last - first + percentile(intervals, 50)) / 1000;

    const rows = [
      ['', 'records/s', 'MB/s (records)', 'chunk p50 ms', 'chunk p95 ms', 'chunk p99 ms'],
      [
        'plain producer',
        fmt(totalRecords / baselineSeconds, 0),
        fmt(totalBytes / 1e6 / baselineSeconds),
        fmt(percentile(baselineLatencies, 50)),
        fmt(percentile(baselineLatencies, 95)),
        fmt(percentile(baselineLatencies, 99)),
      ],
      [
        's3-source, steady',
        fmt(totalRecords / steadySeconds, 0),
        fmt(totalBytes / 1e6 / steadySeconds),
        fmt(percentile(intervals, 50)),
        fmt(percentile(intervals, 95)),
        fmt(percentile(intervals, 99)),
      ],
      ['s3-source, incl. start', fmt(totalRecords / wallSeconds, 0), fmt(totalBytes / 1e6 / wallSeconds), '', '', ''],
    ];
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
    for (const r of rows) process.stdout.write(`${r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  ')}\n`);
    process.stdout.write(
      `\nratio s3-source / plain producer (records/s, steady): ${fmt(baselineSeconds / steadySeconds, 2)}  (goal ≥ 0.70; including process start: ${fmt(baselineSeconds / wallSeconds, 2)})\n` +
        `s3-source peak RSS: ${fmt(peakRss / 1024 / 1024, 0)} MiB   S3 bytes read: ${fmt(storedBytes / 1e6)} MB in ${OBJECTS} objects (half gzip)\n` +
        `chunk = ${CHUNK} records; source chunk latency = time between an object's consecutive progress commits (read + one transaction)\n`,
    );
  } finally {
    await localStackDown({ home: HOME });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
