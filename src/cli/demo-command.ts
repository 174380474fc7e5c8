import { resolve } from 'node:path';
import { loadTopology } from '../config/load.js';
import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import { type EmulatorStats, eventRecords, fetchEmulatorStats, incidentTables } from '../dev/emulator-stats.js';
import { type LocalStack, localSentinelOverrides, localStackDown, localStackUp } from '../dev/local-stack.js';
import { generateSampleObjects, uploadSampleObjects } from '../dev/sample-logs.js';
import { ensureTopics, groupLag, topologyTopics } from '../kafka/admin.js';
import type { Kafka } from '../kafka/client.js';
import { createKafka } from '../kafka/client-factory.js';
import { readAll } from '../kafka/read-topic.js';
import { rootLogger, sendLogsToFile } from '../observability/logger.js';
import { stageGroups } from '../ops/stage-groups.js';
import { exitOnFailure } from '../runtime/exit-on-failure.js';
import { type RunningStage, stageNames, startStage } from '../runtime/stages.js';
import { createS3Client } from '../stages/s3-source/s3-client.js';
import { type OutputSnapshot, printDemoSummary } from './demo-summary.js';
import { createProgress, type Progress } from './progress.js';

export interface DemoOptions {
  topology: string;
  objects: number;
  recordsPerObject: number;
  keepStack: boolean;
  timeoutMs: number;
}

/**
 * The embedded default, end to end: start the local stack, write sample logs into the local
 * S3, run every stage in this process, report progress, and print what arrived where.
 */
export async function demoCommand(options: DemoOptions): Promise<void> {
  const progress = createProgress();
  const logFile = resolve('.stack', 'logs', 'demo.log');
  sendLogsToFile(logFile);
  progress.note(`stage logs go to ${logFile}`);
  const stack = await localStackUp({ onProgress: (m) => progress.note(m) });
  // every Sentinel sink of the file (events and incidents) delivers to the local emulator
  const sinks = loadTopology(resolve(options.topology), { env: {} }).sinks.map((s) =>
    s.type === 'sentinel' ? localSentinelOverrides(stack) : {},
  );
  const topology = loadTopology(resolve(options.topology), {
    logger: rootLogger,
    overrides: {
      kafka: { brokers: stack.kafkaBrokers },
      schemaRegistry: { url: stack.registryUrl },
      source: {
        s3: { endpoint: stack.s3.endpoint, credentials: { accessKeyId: stack.s3.accessKeyId, secretAccessKey: stack.s3.secretAccessKey } },
      },
      sinks,
    },
  });
  const kafka = createKafka(topology.kafka, 'demo');
  await ensureTopics(kafka, topologyTopics(topology));
  const runId = Date.now().toString(36);
  const samples = generateSampleObjects({
    objects: options.objects,
    recordsPerObject: options.recordsPerObject,
    malformedEvery: 97,
    runId,
  });
  const s3 = createS3Client(topology.source.s3);
  progress.note(`writing ${samples.length} sample objects to s3://${topology.source.s3.bucket}`);
  await uploadSampleObjects(s3, topology.source.s3.bucket, samples);
  const expected = { valid: sum(samples.map((s) => s.valid)), malformed: sum(samples.map((s) => s.malformed)) };

  // a kept stack may hold earlier runs: everything below is reported as this run's increase
  const before = await snapshotOutputs(kafka, topology, stack);
  const started = Date.now();
  const counts: Record<string, number> = {};
  const stages: RunningStage[] = [];
  try {
    for (const name of stageNames(topology)) {
      counts[name] = 0;
      const stage = await startStage(topology, name, (n) => {
        counts[name] = (counts[name] ?? 0) + n;
      });
      stages.push(stage);
      exitOnFailure(stage, () => Promise.allSettled(stages.map((s) => s.stop())), rootLogger);
    }
    const incidents = incidentTables(topology);
    const events = (stats: EmulatorStats) => eventRecords(stats, incidents);
    await waitUntilDelivered(
      stack.emulatorUrl,
      stack.emulatorCaFile,
      events,
      events(before.emulator) + expected.valid,
      options.timeoutMs,
      progress,
      () => ({
        read: stages[0]?.source?.stats.recordsEmitted ?? 0,
        ...Object.fromEntries(Object.entries(counts).filter(([stage]) => stage !== 's3-source')),
      }),
    );
    progress.done();
    const lag = await Promise.all(
      stageGroups(topology).map(async ({ group, topics }) => ({ group, rows: await groupLag(kafka, group, topics) })),
    );
    printDemoSummary({
      objects: samples.length,
      source: stages[0]?.source?.stats,
      stageCounts: counts,
      expected,
      before,
      after: await snapshotOutputs(kafka, topology, stack),
      lag,
      wallMs: Date.now() - started,
      incidentTables: incidents,
    });
  } finally {
    await Promise.allSettled(stages.reverse().map((s) => s.stop()));
    if (!options.keepStack) {
      progress.note('stopping the local stack (use --keep-stack to leave it running)');
      await localStackDown({ home: stack.home });
    }
  }
}

async function waitUntilDelivered(
  url: string,
  caFile: string,
  events: (stats: EmulatorStats) => number,
  valid: number,
  timeoutMs: number,
  progress: Progress,
  snapshot: () => Record<string, number>,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await fetchEmulatorStats(url, caFile);
    const accepted = events(stats);
    progress.update({ ...snapshot(), accepted });
    if (accepted >= valid) return;
    if (Date.now() > deadline) throw new Error(`timed out: the emulator accepted ${accepted} of ${valid} records`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function snapshotOutputs(kafka: Kafka, topology: Topology, stack: LocalStack): Promise<OutputSnapshot> {
  const names = topicNames(topology);
  const dlqTopics = [names.dlq('parser'), names.dlq('enricher'), ...topology.sinks.map((k) => names.dlq(k.name))];
  const dlq = Object.fromEntries(await Promise.all(dlqTopics.map(async (t) => [t, (await readAll(kafka, t)).length] as const)));
  return { dlq, emulator: await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile) };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
