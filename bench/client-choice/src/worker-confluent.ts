/**
 * @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-compatible API, used as the
 * pipeline would: read_committed group consumer, one transactional producer per process with a
 * stable transactional id, per chunk (eachBatch, ≤ chunk records of one partition): produce the
 * outputs → sendOffsets with the consumer (its group metadata, KIP-447) → commit. A failed chunk
 * is aborted and thrown, and the client seeks the partition back to the chunk's first offset (the
 * committed one); a fatal error (fenced) exits, and the supervisor starts the process again.
 */
import confluent from '@confluentinc/kafka-javascript';
import { inputKey, inputValue, transform } from './records.js';
import { Meter, pace, report, workerEnv } from './worker-env.js';

const { KafkaJS } = confluent;
const env = workerEnv();
const kafka = new KafkaJS.Kafka({
  kafkaJS: {
    brokers: env.brokers,
    clientId: env.label,
    requestTimeout: env.requestTimeoutMs,
    logLevel: KafkaJS.logLevel.WARN,
  },
});

/** the settings the pipeline would use (librdkafka names) */
const PRODUCER_SETTINGS = {
  'linger.ms': 5,
  'batch.num.messages': 10_000,
  'batch.size': 1_000_000,
  'compression.type': 'none', // lz4/zstd both available; off so both clients are compared on the same bytes
  'enable.idempotence': true,
  acks: -1,
} as const;
const CONSUMER_SETTINGS = {
  'js.consumer.max.batch.size': env.chunk,
  'fetch.max.bytes': 52_428_800,
  'max.partition.fetch.bytes': 1_048_576,
  'fetch.wait.max.ms': 500,
} as const;

const meter = new Meter();
/** produce: concurrent send() calls (CC_IN_FLIGHT) */
const IN_FLIGHT = Number(process.env.CC_IN_FLIGHT ?? 8);

async function produce(): Promise<void> {
  const producer = kafka.producer({ ...PRODUCER_SETTINGS, kafkaJS: { idempotent: true } });
  await producer.connect();
  meter.start();
  const inFlight = new Set<Promise<unknown>>();
  for (let start = 0; start < env.records; start += env.chunk) {
    const messages = [];
    for (let id = start; id < Math.min(env.records, start + env.chunk); id++) messages.push({ key: inputKey(id), value: inputValue(id) });
    const sent = producer.send({ topic: env.output, messages }).then(() => {
      meter.count += messages.length;
      inFlight.delete(sent);
    });
    inFlight.add(sent);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  report('done', meter.result());
  await producer.disconnect();
}

async function consume(): Promise<void> {
  const consumer = kafka.consumer({
    ...CONSUMER_SETTINGS,
    kafkaJS: { groupId: env.group, fromBeginning: true, autoCommit: false, sessionTimeout: env.sessionTimeoutMs },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [env.input] });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      meter.start();
      meter.count += batch.messages.length;
      if (env.records > 0 && meter.count >= env.records) finish();
    },
  });
  await finished;
  report('done', meter.result());
  await consumer.disconnect();
}

async function hop(): Promise<void> {
  const producer = kafka.producer({
    ...PRODUCER_SETTINGS,
    kafkaJS: { transactionalId: env.transactionalId, transactionTimeout: 30_000, maxInFlightRequests: 5 },
  });
  const consumer = kafka.consumer({
    ...CONSUMER_SETTINGS,
    kafkaJS: {
      groupId: env.group,
      fromBeginning: true,
      autoCommit: false,
      readUncommitted: false,
      sessionTimeout: env.sessionTimeoutMs,
      heartbeatInterval: Math.floor(env.sessionTimeoutMs / 5),
    },
  });
  await producer.connect(); // InitProducerId: fences an earlier process with the same transactional id
  await consumer.connect();
  await consumer.subscribe({ topics: [env.input] });
  report('ready');
  const since = Date.now();
  let committed = 0;
  let aborted = 0;
  let transactions = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const ticker = setInterval(() => report('progress', { committed, aborted, transactions }), 5_000);
  // CC_WATCHDOG_MS: the stage shell's liveness rule (a live process that does nothing exits), for the
  // broker-kill stall: no commit for that long → exit, and the supervisor starts the process again
  const watchdogMs = Number(process.env.CC_WATCHDOG_MS ?? 0);
  let lastCommitAt = Date.now();
  if (watchdogMs > 0)
    setInterval(() => {
      if (Date.now() - lastCommitAt < watchdogMs) return;
      report('exit', { reason: `watchdog: no commit for ${watchdogMs} ms` });
      process.exit(4);
    }, 1_000);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      meter.start();
      const messages = batch.messages;
      const last = messages[messages.length - 1];
      if (!last) return;
      const transaction = await producer.transaction();
      try {
        await transaction.send({
          topic: env.output,
          messages: messages.map((m) => ({ key: m.key, value: transform(m.value as Buffer) })),
        });
        await transaction.sendOffsets({
          consumer,
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }] }],
        });
        await transaction.commit();
      } catch (error) {
        aborted++;
        const e = error as { fatal?: boolean; abortable?: boolean; message: string; code?: number };
        report('chunk-failed', {
          partition: batch.partition,
          from: messages[0]?.offset,
          error: e.message,
          fatal: e.fatal,
          abortable: e.abortable,
        });
        if (e.fatal) {
          report('exit', { reason: 'fatal producer error' });
          process.exit(3);
        }
        await transaction.abort().catch((abortError: unknown) => {
          report('exit', { reason: `abort failed: ${(abortError as Error).message}` });
          process.exit(3);
        });
        throw error; // the client seeks this partition back to the chunk's first offset
      }
      committed += messages.length;
      transactions++;
      lastCommitAt = Date.now();
      meter.count += messages.length;
      if (env.records > 0 && committed >= env.records) finish();
      await pace(committed, since, env.maxRate);
    },
  });
  await finished;
  clearInterval(ticker);
  report('done', { ...meter.result(), aborted, transactions });
  await consumer.disconnect();
  await producer.disconnect();
}

process.on('SIGTERM', () => {
  report('exit', { reason: 'SIGTERM' });
  process.exit(0);
});

await (env.mode === 'produce' ? produce() : env.mode === 'consume' ? consume() : hop());
process.exit(0);
