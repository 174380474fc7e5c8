/**
 * What a stage pays per record to write it in a transaction: the client's KafkaJS API
 * (`transaction.send`, a promise and a delivery report per record) beside the project's
 * transactional producer on the client's native producer (src/kafka/transactional-producer.ts),
 * on the same broker, alternating rounds. Records of ~600 bytes with six headers, like the raw
 * topic's, in transactions of 500 (the stages' default chunk).
 *
 *   npm run bench:produce            # BENCH_PRODUCE_RECORDS (100000), BENCH_PRODUCE_ROUNDS (3)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { localTopology } from '../src/dev/local-topology.js';
import { ensureTopics } from '../src/kafka/admin.js';
import { createKafka } from '../src/kafka/client-factory.js';
import type { Message } from '../src/kafka/message.js';
import { commitTransaction } from '../src/kafka/transaction.js';
import { createTransactionalProducer } from '../src/kafka/transactional-producer.js';
import { rootLogger } from '../src/observability/logger.js';
import { benchStackUp } from './bench-stack.js';
import { cpuByThreadOf } from './process-cpu.js';
import { percentile } from './stats.js';

const RECORDS = Number(process.env.BENCH_PRODUCE_RECORDS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_PRODUCE_ROUNDS ?? 3);
const PER_TRANSACTION = 500;
const HOME = '.stack-bench';

interface Round {
  api: 'kafkajs' | 'native';
  eventsPerSecond: number;
  cpuMicrosPerRecord: number;
  /** the same CPU split by thread: Node's main thread (the JavaScript), librdkafka's, V8's and libuv's helpers */
  cpuMicrosPerRecordByThread: Record<string, number>;
  transactionMs: { p50: number; p99: number };
}

function records(topic: string, round: number): Array<Message & { topic: string }> {
  const value = 'x'.repeat(600);
  return Array.from({ length: PER_TRANSACTION }, (_, i) => ({
    topic,
    key: `entity-${(round * 7919 + i) % 5000}`,
    value,
    headers: {
      's3.bucket': 'bench-bucket',
      's3.key': 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/12/07/file.log.gz',
      's3.etag': 'e3b0c44298fc1c149afbf4c8996fb924',
      's3.record': String(i),
      'siem.log.type': 'alb',
      'siem.correlation.id': randomUUID(),
    },
  }));
}

async function main() {
  const stack = await benchStackUp(HOME);
  const id = randomUUID().slice(0, 8);
  const topology = localTopology(stack, `bench-produce-${id}`);
  const kafka = createKafka(topology.kafka, 'bench');
  const topic = `bench-produce-${id}`;
  await ensureTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
  const loadStart = loadavg()[0] ?? 0;

  const kafkajs = kafka.producer({
    'linger.ms': 5,
    kafkaJS: { transactionalId: `bench-produce-${id}-kafkajs`, transactionTimeout: 60_000, maxInFlightRequests: 5, acks: -1 },
  });
  await kafkajs.connect();
  const native = createTransactionalProducer(topology.kafka, {
    clientSuffix: 'bench',
    transactionalId: `bench-produce-${id}-native`,
    transactionTimeoutMs: 60_000,
    logger: rootLogger,
  });
  await native.connect();

  const writeKafkajs = async (batch: Array<Message & { topic: string }>) => {
    const transaction = await kafkajs.transaction();
    await transaction.sendBatch({ topicMessages: [{ topic, messages: batch.map(({ topic: _, ...m }) => m) }] });
    await transaction.commit();
  };
  const writeNative = (batch: Array<Message & { topic: string }>) => commitTransaction(native, { records: batch }, { stage: 'bench' });

  const rounds: Round[] = [];
  const run = async (api: Round['api']) => {
    const write = api === 'kafkajs' ? writeKafkajs : writeNative;
    const batches = Array.from({ length: RECORDS / PER_TRANSACTION }, (_, i) => records(topic, i));
    const times: number[] = [];
    const cpu = process.cpuUsage();
    const threadsBefore = cpuByThreadOf(process.pid);
    const started = performance.now();
    for (const batch of batches) {
      const t = performance.now();
      await write(batch);
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const threadsAfter = cpuByThreadOf(process.pid);
    const byThread = Object.fromEntries(
      Object.entries(threadsAfter).map(([kind, seconds]) => [kind, ((seconds - (threadsBefore[kind] ?? 0)) * 1e6) / RECORDS]),
    );
    const sorted = [...times].sort((a, b) => a - b);
    const stats = { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    const round: Round = {
      api,
      eventsPerSecond: RECORDS / seconds,
      cpuMicrosPerRecord: (used.user + used.system) / RECORDS,
      cpuMicrosPerRecordByThread: byThread,
      transactionMs: { p50: stats.p50, p99: stats.p99 },
    };
    rounds.push(round);
    process.stdout.write(
      `${api.padEnd(8)} | ${Math.round(round.eventsPerSecond).toString().padStart(7)} rec/s | ${round.cpuMicrosPerRecord.toFixed(1).padStart(5)} CPU µs/record (main ${(byThread.main ?? 0).toFixed(1)}, librdkafka ${(byThread.librdkafka ?? 0).toFixed(1)}, V8 + libuv ${(byThread['V8 + libuv'] ?? 0).toFixed(1)}) | transaction p50 ${stats.p50.toFixed(1)} p99 ${stats.p99.toFixed(1)} ms\n`,
    );
  };

  process.stdout.write(
    `transactional produce: ${RECORDS} records of ~600 bytes with 6 headers per round, ${PER_TRANSACTION} per transaction, 3 partitions; load ${loadStart.toFixed(1)}; CPU is the bench process's (the client's threads included)\n`,
  );
  await run('native'); // warm-up of both, discarded
  await run('kafkajs');
  rounds.length = 0;
  for (let r = 0; r < ROUNDS; r++) {
    await run(r % 2 ? 'native' : 'kafkajs');
    await run(r % 2 ? 'kafkajs' : 'native');
  }
  await kafkajs.disconnect();
  await native.disconnect();

  const best = (api: Round['api']) => rounds.filter((r) => r.api === api).sort((a, b) => a.cpuMicrosPerRecord - b.cpuMicrosPerRecord)[0];
  const k = best('kafkajs');
  const n = best('native');
  if (k && n)
    process.stdout.write(
      `best of ${ROUNDS}: native ÷ kafkajs API — CPU per record ${(n.cpuMicrosPerRecord / k.cpuMicrosPerRecord).toFixed(2)}, records/s ${(n.eventsPerSecond / k.eventsPerSecond).toFixed(2)}; load at the end ${(loadavg()[0] ?? 0).toFixed(1)}\n`,
    );
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `produce-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ records: RECORDS, perTransaction: PER_TRANSACTION, machine: { cpus: cpus().length, loadStart, loadEnd: loadavg()[0] }, rounds }, null, 2)}\n`,
  );
  process.stdout.write(
    `figures written to ${file}\nstack left running under ${HOME}; stop it with: node dist/cli/main.js stack down --home ${HOME}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
