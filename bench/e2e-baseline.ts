import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { IHeaders, Kafka } from 'kafkajs';
import type { Topology } from '../src/config/schema.js';
import type { SampleObject } from '../src/dev/sample-logs.js';
import { ensureTopics } from '../src/kafka/admin.js';
import { PRODUCER_DEFAULTS } from '../src/kafka/client-factory.js';
import { rawRecordMessage } from '../src/schemas/raw-record.js';
import { exited, waitFor } from '../tests/support/stage-process.js';
import type { HopSpec } from './e2e-baseline-hop.js';
import { peakRssOf } from './process-memory.js';
import { type SteadyRate, steadyRate } from './stats.js';

export interface BaselineRecord {
  key: string;
  value: string;
  headers: IHeaders;
}

/** What the source writes to raw.<logtype> for each line of the objects: the same key, value and headers. */
export function baselineRecords(samples: SampleObject[], bucket: string): BaselineRecord[] {
  return samples.flatMap((sample) => {
    const text = (sample.key.endsWith('.gz') ? gunzipSync(sample.body) : sample.body).toString();
    const etag = createHash('md5').update(sample.body).digest('hex');
    return text
      .split(/\r?\n/)
      .filter(Boolean)
      .map((value, i) => rawRecordMessage({ bucket, key: sample.key, etag, logType: sample.logType }, i, value));
  });
}

export interface BaselineOptions {
  kafka: Kafka;
  topology: Topology;
  /** topic names start with it: <prefix>0 … <prefix><hops> */
  prefix: string;
  records: BaselineRecord[];
  /** consume→produce hops between the producer and the final consumer */
  hops: number;
  transactional: boolean;
  /** records per producer request (and per transaction when transactional) */
  chunk: number;
  progress: (message: string) => void;
}

export interface BaselineResult {
  events: number;
  steady: SteadyRate;
  /** first send to the last record read by the final consumer */
  wallSeconds: number;
  hopPeakRss: number[];
}

/**
 * The records through a chain of plain Kafka clients of the pipeline's shape: a producer, `hops`
 * consume→produce processes, a final consumer (in this process, which timestamps each arrival).
 */
export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const { kafka, topology, prefix, records, hops, transactional } = options;
  const topics = Array.from({ length: hops + 1 }, (_, i) => `${prefix}${i}`);
  const dlqTopic = `${prefix}dlq`;
  const { partitions, replicationFactor } = topology.topics;
  await ensureTopics(
    kafka,
    [...topics, dlqTopic].map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
  );
  const logDir = mkdtempSync(join(tmpdir(), 'siem-bench-e2e-'));
  const children = topics.slice(0, hops).map((from, i) =>
    spawnHop(
      {
        kafka: topology.kafka,
        from,
        to: topics[i + 1] as string,
        groupId: `${prefix}hop-${i}`,
        transactional,
        dlqTopic,
        maxRecordsPerTransaction: topology.parser.maxRecordsPerTransaction,
      },
      join(logDir, `hop-${i}.log`),
    ),
  );
  try {
    await groupsReady(
      kafka,
      children.map((_, i) => `${prefix}hop-${i}`),
      children,
      logDir,
    );
    const arrivals: number[] = [];
    const consumer = kafka.consumer({ groupId: `${prefix}final`, sessionTimeout: topology.kafka.sessionTimeoutMs });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics[hops] as string], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (let i = 0; i < batch.messages.length; i++) arrivals.push(now);
      },
    });
    const ticker = setInterval(
      () => options.progress(`${arrivals.length.toLocaleString('en-US')}/${records.length.toLocaleString('en-US')} through`),
      5_000,
    );
    const started = performance.now();
    try {
      await produce(options, topics[0] as string);
      await waitFor(
        'the baseline chain to deliver every record',
        async () => (arrivals.length >= records.length ? true : undefined),
        900_000,
        200,
      );
    } finally {
      clearInterval(ticker);
    }
    const hopPeakRss = children.map((c) => peakRssOf(c.pid));
    await consumer.disconnect();
    return {
      events: arrivals.length,
      steady: steadyRate(arrivals),
      wallSeconds: ((arrivals.at(-1) as number) - started) / 1000,
      hopPeakRss,
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => exited(c)));
  }
}

async function produce(options: BaselineOptions, topic: string): Promise<void> {
  const { kafka, records, chunk, transactional, prefix } = options;
  const producer = transactional
    ? kafka.producer({ ...PRODUCER_DEFAULTS, transactionalId: `${prefix}producer`, idempotent: true, maxInFlightRequests: 1 })
    : kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  for (let i = 0; i < records.length; i += chunk) {
    const messages = records.slice(i, i + chunk);
    if (!transactional) {
      await producer.send({ topic, messages });
      continue;
    }
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages });
    await transaction.commit();
  }
  await producer.disconnect();
}

function spawnHop(spec: HopSpec, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn('node_modules/.bin/vite-node', ['bench/e2e-baseline-hop.ts', JSON.stringify(spec)], {
    env: { ...process.env, SIEM_STREAM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log],
  });
}

/** A consumer group is ready when it is stable with every expected member holding partitions. */
async function groupsReady(kafka: Kafka, groupIds: string[], children: ChildProcess[], logDir: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(`the baseline hops to join their groups (logs in ${logDir})`, async () => {
      const dead = children.find((c) => c.exitCode !== null);
      if (dead) throw new Error(`a baseline hop exited with ${dead.exitCode}; see ${logDir}`);
      const { groups } = await admin.describeGroups(groupIds);
      return groups.every((g) => g.state === 'Stable' && g.members.length > 0) ? true : undefined;
    });
  } finally {
    await admin.disconnect();
  }
}
