/**
 * npm run bench:progress-restore — what a work partition's progress restore (the read every
 * assignment makes, `loadPartitionState`) costs with many finished objects, before progress
 * retention, right after it tombstoned them, and once the broker's log cleaner compacted them away.
 * Kafka only, on a stack of its own (ports shifted by SIEM_STREAM_TEST_PORT_OFFSET + 600, home
 * .stack-bench-progress). Size: SIEM_STREAM_BENCH_FINISHED (50,000) finished objects on one partition.
 */

import { randomUUID } from 'node:crypto';
import { topicNames } from '../src/config/topics.js';
import { shiftedStackPorts } from '../src/dev/local-stack.js';
import { localTopology } from '../src/dev/local-topology.js';
import { stackDown, stackUp } from '../src/dev/stack/index.js';
import { ensureTopics } from '../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../src/kafka/client-factory.js';
import type { Message } from '../src/kafka/message.js';
import { readPartitionToEnd } from '../src/kafka/read-partition.js';
import { createTransactionalProducer } from '../src/kafka/transactional-producer.js';
import { rootLogger } from '../src/observability/logger.js';
import { sweepExpiredProgress } from '../src/stages/s3-source/progress-retention.js';
import { type ListingState, loadPartitionState, type ObjectProgress, stateMessage } from '../src/stages/s3-source/progress-store.js';
import { SOURCE_PRODUCER_CONFIG } from '../src/stages/s3-source/source-transaction.js';

const FINISHED = Number(process.env.SIEM_STREAM_BENCH_FINISHED ?? 50_000);
const RUNS = 3;
const offset = Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0) + 600;
const HOME = '.stack-bench-progress';
const DAY = 86_400_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main() {
  process.stderr.write('[bench] starting Kafka…\n');
  const stack = await stackUp({
    home: HOME,
    services: ['kafka'],
    ports: shiftedStackPorts(offset).ports,
  });
  try {
    const id = `p${randomUUID().slice(0, 8)}`;
    const bucket = `${id}-logs`;
    const topology = localTopology({ ...stack, emulatorUrl: 'https://127.0.0.1:1', emulatorCaFile: '' }, id, {
      topics: { partitions: 1 },
      source: { s3: { bucket, lookBackMs: 900_000, progressRetention: { finishedMs: 7 * DAY } } },
    });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'bench');
    // a small segment and a short tombstone life, so the cleaner's work shows within the bench
    await ensureTopics(kafka, [
      {
        topic: names.sourceOffsets,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.ms', value: '2000' },
          { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          { name: 'delete.retention.ms', value: '1000' },
        ],
      },
    ]);
    const finishedAt = new Date(Date.now() - 8 * DAY).toISOString();
    const key = (i: number) => `firewall/2026/11/${String(i).padStart(7, '0')}.log.gz`;
    const listing: ListingState = {
      kind: 'listing',
      bucket,
      prefix: '',
      watermark: key(FINISHED),
      marks: [{ at: Date.now() - 2 * 900_000, key: key(FINISHED) }],
      updatedAt: new Date().toISOString(),
    };
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    const write = async (messages: Message[]) => {
      for (let i = 0; i < messages.length; i += 5_000) {
        await producer.send({ topic: names.sourceOffsets, messages: messages.slice(i, i + 5_000).map((m) => ({ ...m, partition: 0 })) });
      }
    };
    const objects: Message[] = [];
    for (let i = 0; i < FINISHED; i++) {
      const progress: ObjectProgress = {
        kind: 'object',
        bucket,
        key: key(i),
        etag: createEtag(i),
        logType: 'firewall',
        nextRecord: 2_000,
        done: true,
        updatedAt: finishedAt,
      };
      objects.push(stateMessage(progress));
    }
    await write([...objects, stateMessage(listing)]);
    process.stderr.write(`[bench] ${FINISHED} finished objects' progress written to ${names.sourceOffsets}[0]\n`);

    const restore = async (label: string) => {
      const times: number[] = [];
      let objectsKept = 0;
      for (let r = 0; r < RUNS; r++) {
        const started = performance.now();
        objectsKept = (await loadPartitionState(topology.kafka, names.sourceOffsets, 0)).objects.size;
        times.push(performance.now() - started);
      }
      const read = await recordsIn(topology, names.sourceOffsets);
      const row = { label, restoreMs: Math.round(median(times)), runsMs: times.map(Math.round), recordsRead: read, objectsKept };
      process.stdout.write(`${JSON.stringify(row)}\n`);
      return row;
    };

    const before = await restore('before retention');

    const txProducer = createTransactionalProducer(topology.kafka, {
      clientSuffix: 'bench-sweep',
      transactionalId: `${id}-bench-sweep`,
      transactionTimeoutMs: 60_000,
      settings: SOURCE_PRODUCER_CONFIG,
      logger: rootLogger,
    });
    await txProducer.connect();
    const state = await loadPartitionState(topology.kafka, names.sourceOffsets, 0);
    const sweepStarted = performance.now();
    const expired = await sweepExpiredProgress(
      {
        config: topology.source.s3,
        names,
        transactions: txProducer,
        logger: rootLogger,
        partition: 0,
      },
      state,
    );
    const sweepMs = Math.round(performance.now() - sweepStarted);
    await txProducer.disconnect();
    process.stdout.write(`${JSON.stringify({ label: 'sweep', expired, sweepMs })}\n`);

    const tombstoned = await restore('right after the sweep (tombstones not yet compacted)');

    // the cleaner works on closed segments only: a record now and then rolls the active one
    const deadline = Date.now() + 300_000;
    let read = tombstoned.recordsRead;
    while (read > 10 && Date.now() < deadline) {
      await write([{ key: 'bench/roll', value: null }]); // a tombstone of nothing: it only rolls the segment
      await new Promise((r) => setTimeout(r, 5_000));
      read = await recordsIn(topology, names.sourceOffsets);
      process.stderr.write(`[bench] waiting for the log cleaner: ${read} records left\n`);
    }
    const after = await restore('after compaction');
    await producer.disconnect();
    process.stdout.write(
      `${JSON.stringify({ finished: FINISHED, beforeMs: before.restoreMs, afterSweepMs: tombstoned.restoreMs, afterCompactionMs: after.restoreMs, sweepMs })}\n`,
    );
  } finally {
    await stackDown({ home: HOME });
  }
}

/** records a read_committed reader meets in partition 0 (what a restore reads) */
async function recordsIn(topology: ReturnType<typeof localTopology>, topic: string): Promise<number> {
  let n = 0;
  await readPartitionToEnd(topology.kafka, topic, 0, () => {
    n++;
  });
  return n;
}

function createEtag(i: number): string {
  return i.toString(16).padStart(32, '0');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
