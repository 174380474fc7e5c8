import { readFileSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import avro from 'avsc';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import type { LocalStack } from '../../src/dev/local-stack.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import type { Kafka } from '../../src/kafka/client.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { stableOffsets } from '../../src/kafka/end-offsets.js';
import { scanPartitions } from '../../src/kafka/read-topic.js';
import { CORE_STAGES } from '../../src/runtime/stages.js';
import { loadSchema } from '../../src/schemas/catalog.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { exited, spawnStage, waitFor } from '../../tests/support/stage-process.js';
import { watchPeakRss } from '../process-memory.js';
import type { Corpus } from './corpus.js';
import { objectBody } from './corpus.js';
import { recordId } from './corpus-types.js';
import { type DeliveryOrder, deliveryOrder, trulyLate } from './delivery.js';
import { evalTopology } from './eval-topology.js';
import { type DetectionFigures, type EnrichedSummary, scoreDetection } from './score.js';

export interface OrderSettings {
  seed: number;
  /** wall seconds over which the live order's objects are written (their delivery times compressed) */
  liveSeconds: number;
  /** give up when the enriched topic has not grown for this long */
  stallMs: number;
}

export interface OrderResult {
  order: DeliveryOrder;
  objects: number;
  records: number;
  /** from the first object written (live) or the first stage started (backfill) to the last enriched event */
  seconds: number;
  enricherPeakRssMiB: number;
  deadLettered: { parser: number; enricher: number };
  figures: DetectionFigures;
}

type Say = (message: string) => void;

/** One delivery order on a fresh topology (own bucket, topics and groups) of the running stack. */
export async function runOrder(
  stack: LocalStack,
  corpus: Corpus,
  order: DeliveryOrder,
  settings: OrderSettings,
  say: Say,
): Promise<OrderResult> {
  const topology = evalTopology(stack, `eval-${order}-${Date.now().toString(36)}`);
  const names = topicNames(topology);
  const kafka = createKafka(topology.kafka, 'detection-eval');
  await ensureTopics(kafka, topologyTopics(topology));
  const s3 = createS3Client(topology.source.s3);
  await s3.send(new CreateBucketCommand({ Bucket: topology.source.s3.bucket }));
  const ordered = deliveryOrder(corpus.objects, order, settings.seed);
  const late = trulyLate(ordered, order);
  say(`[${order}] ${ordered.length} objects, ${corpus.records.toLocaleString('en-US')} records, ${late.size} truly late`);
  const put = (o: (typeof ordered)[number]) =>
    s3.send(new PutObjectCommand({ Bucket: topology.source.s3.bucket, Key: o.key, Body: objectBody(o) }));
  let startedAt = Date.now();
  if (order === 'backfill') {
    await writeAll(ordered, put, (n) => say(`[backfill] ${n}/${ordered.length} objects written`));
    startedAt = Date.now();
  }
  const stages = CORE_STAGES.map((name) => ({ name, child: spawnStage(topology, name, { SIEM_STREAM_LOG_LEVEL: 'info' }) }));
  const memory = watchPeakRss(1_000);
  const enricher = stages.find((s) => s.name === 'enricher');
  memory.watch('enricher', enricher?.child.pid);
  const assertRunning = () => {
    const dead = stages.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
    if (dead) throw new Error(`stage ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}); see ${dead.child.logFile}`);
  };
  try {
    await Promise.all(stages.map((s) => waitForReady(s.child.logFile, assertRunning)));
    say(`[${order}] s3-source, parser and enricher ready`);
    if (order === 'live') {
      startedAt = Date.now();
      await writePaced(ordered, put, settings.liveSeconds, assertRunning, (n) => say(`[live] ${n}/${ordered.length} objects written`));
    }
    const deadLettered = await waitForEnriched(kafka, topology, corpus.records, settings.stallMs, assertRunning, (n) =>
      say(`[${order}] ~${n.toLocaleString('en-US')}/${corpus.records.toLocaleString('en-US')} events enriched`),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const enricherPeakRss = memory.stop().enricher ?? Number.NaN;
    const figures = scoreDetection(await readEnriched(kafka, names.enriched), corpus.labels, late);
    return {
      order,
      objects: ordered.length,
      records: corpus.records,
      seconds,
      enricherPeakRssMiB: Math.round(enricherPeakRss / 2 ** 20),
      deadLettered,
      figures,
    };
  } finally {
    memory.stop();
    for (const s of stages) s.child.kill('SIGTERM');
    await Promise.all(
      stages.map(async (s) => {
        const timer = setTimeout(() => s.child.kill('SIGKILL'), 60_000);
        await exited(s.child);
        clearTimeout(timer);
      }),
    );
  }
}

async function writeAll<T>(objects: T[], put: (o: T) => Promise<unknown>, progress: (n: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  let reported = Date.now();
  const worker = async () => {
    while (next < objects.length) {
      await put(objects[next++] as T);
      done++;
      if (Date.now() - reported > 5_000) {
        reported = Date.now();
        progress(done);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  progress(done);
}

/** Writes one object after the other, their delivery-time gaps compressed into `seconds` of wall time. */
async function writePaced(
  objects: Array<{ writtenAt: number }>,
  put: (o: never) => Promise<unknown>,
  seconds: number,
  assertRunning: () => void,
  progress: (n: number) => void,
): Promise<void> {
  const first = objects[0]?.writtenAt ?? 0;
  const span = Math.max(1, (objects.at(-1)?.writtenAt ?? first) - first);
  const t0 = Date.now();
  let reported = t0;
  for (const [i, o] of objects.entries()) {
    const due = t0 + ((o.writtenAt - first) / span) * seconds * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await put(o as never);
    if (Date.now() - reported > 10_000) {
      reported = Date.now();
      assertRunning();
      progress(i + 1);
    }
  }
  progress(objects.length);
}

async function waitForReady(logFile: string, assertRunning: () => void): Promise<void> {
  const port = await waitFor(
    `the metrics port in ${logFile}`,
    async () => {
      assertRunning();
      return /"metricsPort":(\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
    },
    180_000,
    250,
  );
  await waitFor(
    `${logFile}: /readyz`,
    async () => {
      assertRunning();
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      return status === 200 ? true : undefined;
    },
    180_000,
    250,
  );
}

/**
 * Waits until every record is an enriched event or dead-lettered (read_committed). The end
 * offsets (which count transaction markers too) show progress; an exact count confirms once they stop moving.
 */
async function waitForEnriched(
  kafka: Kafka,
  topology: Topology,
  expected: number,
  stallMs: number,
  assertRunning: () => void,
  progress: (n: number) => void,
): Promise<{ parser: number; enricher: number }> {
  const names = topicNames(topology);
  const topics = [names.enriched, names.dlq('parser'), names.dlq('enricher')];
  let last = -1;
  let lastChange = Date.now();
  let reported = 0;
  for (;;) {
    assertRunning();
    const offsets = await stableOffsets(kafka, topics);
    const approx = offsets.reduce((n, o) => n + Number(o.lso), 0);
    const quiet = approx === last;
    if (!quiet) {
      last = approx;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`the enriched and dead-letter topics stopped growing at ~${approx} of ${expected} records for ${stallMs / 1000} s`);
    }
    if (Date.now() - reported > 10_000) {
      reported = Date.now();
      progress(Number(offsets.filter((o) => o.topic === names.enriched).reduce((n, o) => n + o.lso, 0n)));
    }
    // the offsets count transaction markers too: count exactly once the topics have stopped growing (each count reads them all)
    if (approx >= expected && quiet) {
      const [enriched, parser, enricher] = await Promise.all(topics.map((t) => countRecords(kafka, t)));
      if ((enriched as number) + (parser as number) + (enricher as number) >= expected)
        return { parser: parser as number, enricher: enricher as number };
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

async function countRecords(kafka: Kafka, topic: string): Promise<number> {
  let n = 0;
  await scanPartitions(kafka, topic, () => {
    n++;
  });
  return n;
}

/** The enriched topic (read_committed), each event reduced to its position, log type and flags. */
async function readEnriched(kafka: Kafka, topic: string): Promise<EnrichedSummary[]> {
  const type = avro.Type.forSchema(loadSchema('enriched') as avro.Schema);
  const out: EnrichedSummary[] = [];
  await scanPartitions(kafka, topic, (_partition, message) => {
    if (!message.value) return;
    // Confluent framing: magic byte + 4-byte schema id; the enricher writes schemas/enriched-event.avsc
    const e = type.fromBuffer(message.value.subarray(5)) as Record<string, unknown>;
    out.push({
      id: recordId(String(e.SourceKey), Number(e.SourceRecordNumber)),
      logType: String(e.LogType),
      flagged: e.IsAnomaly === true,
      late: e.LateEvent === true,
      windowCount: Number(e.WindowEventCount ?? 0),
    });
  });
  return out;
}
