import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Topology } from '../src/config/schema.js';
import type { SampleObject } from '../src/dev/sample-logs.js';
import { ensureTopics } from '../src/kafka/admin.js';
import type { Kafka } from '../src/kafka/client.js';
import { RdGroupStates } from '../src/kafka/rdkafka.js';
import { rawRecordMessage } from '../src/schemas/raw-record.js';
import { waitFor } from '../tests/support/stage-process.js';
import { type SteadyRate, steadyRate } from './stats.js';

/**
 * What every baseline chain of bench/e2e.ts shares, whatever its hops are made of (Node.js
 * processes, kcat pipes): its topics, the wait for the hops' groups, and the final consumer in
 * this process that timestamps each arrival. The only file of the chains that knows the bench's
 * own Kafka client: change `ChainClient` and these functions when the client changes.
 */
export type ChainClient = Kafka;

export interface BaselineRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
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

/** The chain's topics: <prefix>0 (the producer writes it) … <prefix><hops> (the final consumer reads it). */
export function chainTopicNames(prefix: string, hops: number): string[] {
  return Array.from({ length: hops + 1 }, (_, i) => `${prefix}${i}`);
}

/** The topics with the topology's partitions and replication factor. */
export async function createChainTopics(client: ChainClient, topology: Topology, topics: string[]): Promise<void> {
  const { partitions, replicationFactor } = topology.topics;
  await ensureTopics(
    client,
    topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
  );
}

/** A consumer group is ready when it is stable with every expected member holding partitions. */
export async function groupsReady(client: ChainClient, groupIds: string[], children: ChildProcess[], logDir: string): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    await waitFor(`the baseline hops to join their groups (logs in ${logDir})`, async () => {
      const dead = children.find((c) => c.exitCode !== null);
      if (dead) throw new Error(`a baseline hop exited with ${dead.exitCode}; see ${logDir}`);
      const { groups } = await admin.describeGroups(groupIds);
      return groups.every((g) => g.state === RdGroupStates.STABLE && g.members.length > 0) ? true : undefined;
    });
  } finally {
    await admin.disconnect();
  }
}

export interface DeliveryOptions {
  client: ChainClient;
  topology: Topology;
  /** the last topic of the chain */
  topic: string;
  groupId: string;
  /** records the producer writes; the chain has delivered when this many arrived */
  expected: number;
  /** writes the records to the chain's first topic; resolves when it has handed them over (not when they arrived) */
  send: () => Promise<void>;
  /** why the chain cannot deliver any more (a hop died), checked while waiting */
  failed?: () => string | undefined;
  progress: (message: string) => void;
}

export interface Delivery {
  events: number;
  steady: SteadyRate;
  /** from calling `send` to the last record read by the final consumer */
  wallSeconds: number;
}

/** Starts the final consumer, calls `send`, and timestamps every arrival until `expected` have arrived. */
export async function deliverThroughChain(options: DeliveryOptions): Promise<Delivery> {
  const { client, topology, expected } = options;
  const arrivals: number[] = [];
  const consumer = client.consumer({
    kafkaJS: { groupId: options.groupId, sessionTimeout: topology.kafka.sessionTimeoutMs, fromBeginning: true },
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic] });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (let i = 0; i < batch.messages.length; i++) arrivals.push(now);
      },
    });
    const ticker = setInterval(
      () => options.progress(`${arrivals.length.toLocaleString('en-US')}/${expected.toLocaleString('en-US')} through`),
      5_000,
    );
    const started = performance.now();
    try {
      await options.send();
      await waitFor(
        'the baseline chain to deliver every record',
        async () => {
          const failure = options.failed?.();
          if (failure !== undefined) throw new Error(failure);
          return arrivals.length >= expected ? true : undefined;
        },
        900_000,
        200,
      );
    } finally {
      clearInterval(ticker);
    }
    return {
      events: arrivals.length,
      steady: steadyRate(arrivals),
      wallSeconds: ((arrivals.at(-1) as number) - started) / 1000,
    };
  } finally {
    await consumer.disconnect();
  }
}
