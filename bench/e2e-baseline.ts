import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../src/config/schema.js';
import type { Kafka } from '../src/kafka/client.js';
import { PRODUCER_DEFAULTS } from '../src/kafka/client-factory.js';
import { exited } from '../tests/support/stage-process.js';
import type { HopSpec } from './e2e-baseline-hop.js';
import { type BaselineRecord, chainTopicNames, createChainTopics, type Delivery, deliverThroughChain, groupsReady } from './e2e-chain.js';
import { peakRssOf } from './process-memory.js';

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

export interface BaselineResult extends Delivery {
  hopPeakRss: number[];
}

/**
 * The records through a chain of plain Kafka clients of the pipeline's shape: a producer, `hops`
 * consume→produce processes, a final consumer (in this process, which timestamps each arrival).
 */
export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const { kafka, topology, prefix, records, hops, transactional } = options;
  const topics = chainTopicNames(prefix, hops);
  const dlqTopic = `${prefix}dlq`;
  await createChainTopics(kafka, topology, [...topics, dlqTopic]);
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
    const delivery = await deliverThroughChain({
      client: kafka,
      topology,
      topic: topics[hops] as string,
      groupId: `${prefix}final`,
      expected: records.length,
      send: () => produce(options, topics[0] as string),
      progress: options.progress,
      failed: () => {
        const dead = children.find((c) => c.exitCode !== null);
        return dead === undefined ? undefined : `a baseline hop exited with ${dead.exitCode}; see ${logDir}`;
      },
    });
    return { ...delivery, hopPeakRss: children.map((c) => peakRssOf(c.pid)) };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => exited(c)));
  }
}

async function produce(options: BaselineOptions, topic: string): Promise<void> {
  const { kafka, records, chunk, transactional, prefix } = options;
  const producer = transactional
    ? kafka.producer({ kafkaJS: { ...PRODUCER_DEFAULTS.kafkaJS, transactionalId: `${prefix}producer`, maxInFlightRequests: 1 } })
    : kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  for (let i = 0; i < records.length; i += chunk) {
    // copies: the client rewrites a sent message's headers in place, and the records are sent once per phase
    const messages = records.slice(i, i + chunk).map((m) => ({ ...m, ...(m.headers ? { headers: { ...m.headers } } : {}) }));
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
