import { loadavg } from 'node:os';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Topology } from '../src/config/schema.js';
import { fetchEmulatorStats } from '../src/dev/emulator-stats.js';
import type { LocalStack } from '../src/dev/local-stack.js';
import { generateSampleObjects } from '../src/dev/sample-logs.js';
import type { Kafka } from '../src/kafka/client.js';
import { acceptedFromBucket, duplicates } from './e2e-accepted.js';
import { type HopLatency, hopLatencies } from './e2e-hops.js';
import { type RunningPipeline, waitForAccepted } from './e2e-pipeline.js';
import { percentile } from './stats.js';

export interface LatencyOptions {
  stack: LocalStack;
  kafka: Kafka;
  topology: Topology;
  pipeline: RunningPipeline;
  s3: S3Client;
  bucket: string;
  /** a folder level in every key, so this phase's records are told apart from the others' */
  runId: string;
  eventsPerSecond: number;
  seconds: number;
  recordsPerObject: number;
  progress: (message: string) => void;
}

export interface LatencyFigures {
  targetEventsPerSecond: number;
  offeredEventsPerSecond: number;
  /** records over the time from the first write to the last acceptance */
  acceptedEventsPerSecond: number;
  /** records over the time from the first acceptance to the last: the rate the pipeline delivered at */
  deliveredEventsPerSecond: number;
  backlogSecondsAfterLastWrite: number;
  objects: number;
  recordsPerObject: number;
  records: number;
  duplicatesAccepted: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  p50FirstTenthOfObjects: number;
  p50LastTenthOfObjects: number;
  /** false: the pipeline fell behind the offered rate, and the latencies are mostly queueing */
  keptUp: boolean;
  loadAverage1m: { start: number; end: number };
  /** where the time went, per hop (e2e-hops.ts) */
  hops: HopLatency[];
}

/**
 * Whether the pipeline kept up with the offered rate: it delivered at least 90% of it, and the
 * objects written last did not wait more than twice as long as the first ones (a growing queue).
 */
export function keptUp(
  f: Pick<LatencyFigures, 'offeredEventsPerSecond' | 'deliveredEventsPerSecond' | 'p50FirstTenthOfObjects' | 'p50LastTenthOfObjects'>,
): boolean {
  return f.deliveredEventsPerSecond >= 0.9 * f.offeredEventsPerSecond && f.p50LastTenthOfObjects <= 2 * f.p50FirstTenthOfObjects;
}

/**
 * Objects written one after another at `eventsPerSecond` while the pipeline runs; per record, the
 * emulator's acceptance time − its object's PutObject completion time. Whether the pipeline kept
 * up shows in the delivered rate, the backlog left after the last write, and the median latency
 * of the first tenth of the objects against the last tenth (growing = queueing).
 */
export async function measureLatency(options: LatencyOptions): Promise<LatencyFigures> {
  const { stack, pipeline, s3, bucket, eventsPerSecond, recordsPerObject, progress } = options;
  const loadAtStart = loadavg()[0] as number;
  const count = Math.max(1, Math.round((options.seconds * eventsPerSecond) / recordsPerObject));
  const objects = generateSampleObjects({
    objects: count,
    recordsPerObject,
    malformedEvery: 0,
    seed: 8,
    startTime: Date.now(),
    runId: options.runId,
  });
  const records = objects.reduce((n, o) => n + o.valid, 0);
  const intervalMs = (recordsPerObject * 1000) / eventsPerSecond;
  progress(
    `${count} objects of ${recordsPerObject} records, one every ${intervalMs.toFixed(0)} ms (${eventsPerSecond.toFixed(0)} events/s)`,
  );
  const before = (await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile)).totalRecords;
  const putDone = new Map<string, { at: number; index: number }>();
  const firstPut = Date.now();
  for (const [index, object] of objects.entries()) {
    const due = firstPut + index * intervalMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body }));
    putDone.set(object.key, { at: Date.now(), index });
    if (index % 50 === 49) progress(`${index + 1}/${count} objects written`);
  }
  const lastPut = Date.now();
  await waitForAccepted(stack, options.pipeline, before + records, (n) => progress(`${n - before}/${records} accepted`));
  const loadAtEnd = loadavg()[0] as number;
  const accepted = (await acceptedFromBucket(stack.home, bucket)).filter((r) => putDone.has(r.key));
  const measured = accepted.map((r) => {
    const put = putDone.get(r.key) as { at: number; index: number };
    return { ms: r.receivedAtMs - put.at, index: put.index, receivedAtMs: r.receivedAtMs };
  });
  const sorted = (rows: typeof measured) => rows.map((r) => r.ms).sort((a, b) => a - b);
  const all = sorted(measured);
  const lastAccepted = measured.reduce((latest, r) => Math.max(latest, r.receivedAtMs), 0);
  const firstAccepted = measured.reduce((earliest, r) => Math.min(earliest, r.receivedAtMs), Number.POSITIVE_INFINITY);
  const tenth = Math.max(1, Math.floor(count / 10));
  pipeline.assertRunning();
  const figures = {
    targetEventsPerSecond: eventsPerSecond,
    offeredEventsPerSecond: records / ((lastPut - firstPut + intervalMs) / 1000),
    acceptedEventsPerSecond: records / ((lastAccepted - firstPut) / 1000),
    deliveredEventsPerSecond: records / ((lastAccepted - firstAccepted) / 1000),
    backlogSecondsAfterLastWrite: (lastAccepted - lastPut) / 1000,
    objects: count,
    recordsPerObject,
    records: accepted.length,
    duplicatesAccepted: duplicates(accepted),
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
    max: all.at(-1) ?? Number.NaN,
    p50FirstTenthOfObjects: percentile(sorted(measured.filter((r) => r.index < tenth)), 50),
    p50LastTenthOfObjects: percentile(sorted(measured.filter((r) => r.index >= count - tenth)), 50),
    loadAverage1m: { start: loadAtStart, end: loadAtEnd },
  };
  const putDoneAt = new Map([...putDone].map(([key, { at }]) => [key, at]));
  const hops = await hopLatencies(options.kafka, options.topology, putDoneAt, accepted);
  return { ...figures, keptUp: keptUp(figures), hops };
}
