/**
 * npm run bench:sinks — every destination fed from the same enriched topic on a real local Kafka,
 * into its emulator or receiver: events/s, requests/s, mean request size against the limit, 413s,
 * p50/p99 write latency and peak RSS. The baseline is the shared runtime with a destination that
 * takes every batch at once, measured in the same run: each row's events/s is also given as a
 * ratio of it. Sizes: SIEM_BENCH_EVENTS (default 40000).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from '../src/config/schema.js';
import { LOCAL_DCR_ID, LOCAL_STREAMS, localStackDown } from '../src/dev/local-stack.js';
import { startLogsIngestionEmulator } from '../src/dev/logs-ingestion-emulator/index.js';
import { startRsyslogReceiver } from '../src/dev/rsyslog/rsyslog-receiver.js';
import { startSplunkHecEmulator } from '../src/dev/splunk-hec-emulator/index.js';
import { ensureTopics } from '../src/kafka/admin.js';
import { createKafka } from '../src/kafka/client-factory.js';
import { createRdKafka } from '../src/kafka/rdkafka.js';
import { rootLogger } from '../src/observability/logger.js';
import { EventCodec } from '../src/schemas/event-codec.js';
import type { EnrichedEvent } from '../src/schemas/events.js';
import { createRegistry } from '../src/schemas/registry-client.js';
import { sinkSchema } from '../src/sinks/config.js';
import { buildPiiPolicy } from '../src/sinks/pii/policy.js';
import { openSinkWriter } from '../src/sinks/registry.js';
import { startSinkRunner } from '../src/sinks/runtime/sink-runner.js';
import { dcrColumns } from '../src/sinks/sentinel/columns.js';
import type { SinkWriter } from '../src/sinks/sink-module.js';
import { enrichedEvent } from '../tests/integration/sink-events.js';
import { benchStackUp } from './bench-stack.js';

const EVENTS = Number(process.env.SIEM_BENCH_EVENTS ?? 40_000);
const OFFSET = Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);
const SENTINEL_LIMIT = 1_048_576;

interface Row {
  destination: string;
  seconds: number;
  events: number;
  requests: number;
  meanRequestBytes: number;
  limitBytes: number;
  tooLarge: number;
  p50: number;
  p99: number;
  peakRssMb: number;
}

/** Measures each write: its latency and its size as the destination counts it (payload bytes + framing). */
function measured(
  inner: SinkWriter,
  framing: (count: number) => number,
  samples: { ms: number[]; bytes: number[]; tooLarge: number },
): SinkWriter<{ bytes: number; payload: unknown }> {
  return {
    limits: inner.limits,
    encode: (record) => {
      const e = inner.encode(record);
      return { ...e, payload: { bytes: e.bytes, payload: e.payload } };
    },
    write: async (key, items, signal) => {
      const started = performance.now();
      const outcome = await inner.write(
        key,
        items.map((i) => i.payload),
        signal,
      );
      samples.ms.push(performance.now() - started);
      samples.bytes.push(items.reduce((n, i) => n + i.bytes, 0) + framing(items.length));
      const outcomes = Array.isArray(outcome) ? outcome : [outcome];
      if (outcomes.some((o) => o.kind === 'too-large')) samples.tooLarge++;
      return outcome;
    },
    close: () => inner.close(),
  };
}

const nullWriter: SinkWriter<number> = {
  limits: { maxBatchBytes: 999_999, maxBatchRecords: 50_000 },
  encode: (r) => {
    const bytes = Buffer.byteLength(JSON.stringify(r.event));
    return { batchKey: 'null', payload: bytes, bytes };
  },
  write: async () => ({ kind: 'ok' }),
  close: async () => {},
};

async function run(
  name: string,
  kafka: KafkaConfig,
  topic: string,
  codec: EventCodec<EnrichedEvent>,
  config: ReturnType<typeof sinkSchema.parse>,
  writer: SinkWriter,
  framing: (n: number) => number,
  limitBytes: number,
): Promise<Row> {
  const samples = { ms: [] as number[], bytes: [] as number[], tooLarge: 0 };
  let delivered = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const started = performance.now();
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const sink = await startSinkRunner({
    kafka,
    stage: name,
    inputTopic: topic,
    groupId: `bench-${name}-${Date.now()}`,
    dlqTopic: `${topic}.dlq`,
    config,
    writer: measured(writer, framing, samples),
    pii: buildPiiPolicy(undefined, config, ['sinks', name]),
    codec,
    logger: rootLogger.child({ stage: name }),
    onDelivered: (n) => {
      delivered += n;
      if (delivered >= EVENTS) done();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1_000;
  await sink.stop();
  clearInterval(sampler);
  const sorted = [...samples.ms].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    destination: name,
    seconds,
    events: delivered,
    requests: samples.ms.length,
    meanRequestBytes: samples.bytes.reduce((n, b) => n + b, 0) / Math.max(1, samples.bytes.length),
    limitBytes,
    tooLarge: samples.tooLarge,
    p50: pct(50),
    p99: pct(99),
    peakRssMb: peakRss / 1_048_576,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'siem-bench-sinks-'));
  const home = '.stack-bench';
  process.stderr.write(`[bench] starting the local stack in ${home}\n`);
  const stack = await benchStackUp(home, OFFSET);
  try {
    const kafkaConfig: KafkaConfig = {
      brokers: stack.kafkaBrokers,
      clientId: 'bench',
      connectionTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      sessionTimeoutMs: 30_000,
      transactionTimeoutMs: 30_000,
      maxPollIntervalMs: 300_000,
    };
    // the tools' client for the topics; the input and the sinks on librdkafka's
    const kafka = createKafka(kafkaConfig, 'bench');
    const topic = `bench${Date.now()}.events.enriched`;
    await ensureTopics(
      kafka,
      [topic, `${topic}.dlq`].map((t) => ({ topic: t, numPartitions: 3, replicationFactor: 1 })),
    );
    const codec = new EventCodec<EnrichedEvent>(createRegistry({ url: stack.registryUrl }), topic, 'enriched');
    await codec.register();
    process.stderr.write(`[bench] producing ${EVENTS} enriched events\n`);
    const producer = createRdKafka(kafkaConfig, 'bench').kafka.producer({
      kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
    });
    await producer.connect();
    for (let i = 0; i < EVENTS; i += 1_000) {
      const events = Array.from({ length: Math.min(1_000, EVENTS - i) }, (_, j) => enrichedEvent(i + j));
      await producer.send({
        topic,
        messages: await Promise.all(events.map(async (e) => ({ key: e.EntityKey, value: await codec.encode(e) }))),
      });
    }
    await producer.disconnect();

    const common = {
      retry: { attempts: 20, baseMs: 200, capMs: 5_000 },
      maxInFlightBatches: 4,
      batch: { maxLatencyMs: 1_000 },
    };
    const rows: Row[] = [];
    rows.push(
      await run(
        'baseline (null destination)',
        kafkaConfig,
        topic,
        codec,
        sinkSchema.parse({ type: 'syslog', name: 'null', host: 'x', port: 1, ...common }),
        nullWriter,
        () => 0,
        999_999,
      ),
    );

    const streams = Object.fromEntries(
      Object.entries(LOCAL_STREAMS).map(([s, table]) => [s, { columns: dcrColumns('enriched'), outputTable: table }]),
    );
    const emulator = await startLogsIngestionEmulator({
      port: 0,
      certDir: join(dir, 'emulator'),
      dcrs: { [LOCAL_DCR_ID]: { streams } },
      limits: { maxDecompressedBytes: SENTINEL_LIMIT },
    });
    const sentinel = sinkSchema.parse({
      type: 'sentinel',
      name: 'sentinel',
      endpoint: emulator.url,
      dcrImmutableId: LOCAL_DCR_ID,
      credential: { type: 'static-token', token: 'bench' },
      caFile: emulator.caCertPath,
      streams: { NetworkSession: 'Custom-SiemNetworkSession', Authentication: 'Custom-SiemAuthentication', '*': 'Custom-SiemEvent' },
      ...common,
    });
    // the JSON array around the rows: brackets and commas
    rows.push(
      await run('sentinel', kafkaConfig, topic, codec, sentinel, await openSinkWriter(sentinel, rootLogger), (n) => n + 1, SENTINEL_LIMIT),
    );
    const rejected413 = emulator.store.stats().rejections.byStatus['413'] ?? 0;
    await emulator.stop();

    const hec = await startSplunkHecEmulator({ tokens: { bench: { ack: true } } });
    const splunk = sinkSchema.parse({
      type: 'splunk-hec',
      name: 'splunk',
      url: hec.url,
      token: 'bench',
      ack: { enabled: true, pollIntervalMs: 100 },
      ...common,
    });
    rows.push(
      await run('splunk-hec (acks on)', kafkaConfig, topic, codec, splunk, await openSinkWriter(splunk, rootLogger), () => 0, 1_000_000),
    );
    await hec.stop();

    for (const transport of ['tcp', 'tls'] as const) {
      const port = (transport === 'tcp' ? 37514 : 37515) + OFFSET;
      const receiver = await startRsyslogReceiver({ dir: join(dir, `rsyslog-${transport}`), port, transport });
      const syslog = sinkSchema.parse({
        type: 'syslog',
        name: `syslog-${transport}`,
        host: '127.0.0.1',
        port,
        transport,
        tls: { caFile: receiver.caFile },
        ...common,
      });
      rows.push(
        await run(
          `syslog-${transport} (rsyslog)`,
          kafkaConfig,
          topic,
          codec,
          syslog,
          await openSinkWriter(syslog, rootLogger),
          () => 0,
          262_144,
        ),
      );
      await receiver.stop();
    }

    const baseline = rows[0] as Row;
    const rate = (r: Row) => r.events / r.seconds;
    process.stdout.write(
      `\nsinks bench: ${EVENTS} events (~${Math.round(Buffer.byteLength(JSON.stringify(enrichedEvent(1))))} B each as JSON), 3 partitions, maxInFlightBatches 4\n`,
    );
    process.stdout.write(
      `${'destination'.padEnd(28)} ${'events/s'.padStart(9)} ${'vs base'.padStart(8)} ${'req/s'.padStart(7)} ${'mean req'.padStart(10)} ${'of limit'.padStart(9)} ${'413s'.padStart(5)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'peak RSS'.padStart(9)}\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.destination.padEnd(28)} ${rate(r).toFixed(0).padStart(9)} ${(rate(r) / rate(baseline)).toFixed(2).padStart(8)} ${(r.requests / r.seconds).toFixed(1).padStart(7)} ${`${(r.meanRequestBytes / 1_024).toFixed(0)} KiB`.padStart(10)} ${`${((100 * r.meanRequestBytes) / r.limitBytes).toFixed(1)}%`.padStart(9)} ${String(r.tooLarge).padStart(5)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)} ${`${r.peakRssMb.toFixed(0)} MB`.padStart(9)}\n`,
      );
    }
    process.stdout.write(
      `sentinel: 413 answers from the emulator: ${rejected413}; limit = 1,048,576 bytes of uncompressed body (requests are gzipped on the wire)\n`,
    );
  } finally {
    await localStackDown({ home });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
