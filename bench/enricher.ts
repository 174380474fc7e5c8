import { execFileSync } from 'node:child_process';
import type { loadTopology } from '../src/config/load.js';
import { topicNames } from '../src/config/topics.js';
import { localStackDown, localStackUp, shiftedStackPorts } from '../src/dev/local-stack.js';
import { localTopology } from '../src/dev/local-topology.js';
import { ensureTopics, topologyTopics } from '../src/kafka/admin.js';
import { createKafka } from '../src/kafka/client-factory.js';
import { startStage } from '../src/runtime/stages.js';
import { RAW_HEADER } from '../src/schemas/raw-record.js';
import { AnomalyModel } from '../src/stages/enricher/anomaly-model.js';
import { detectionQuality } from '../src/stages/enricher/training/detection-quality.js';
import { featureRows } from '../src/stages/enricher/training/feature-rows.js';
import { labelledTraffic } from '../src/stages/enricher/training/labelled-traffic.js';

/**
 * npm run bench:enricher — on a local stack of its own:
 *  1. parser pass-through rate (raw JSON → Avro) and enricher rate (windows, Drain, ONNX scoring,
 *     changelog) over the same events in the same run, and their ratio;
 *  2. ONNX inference latency per batch of 500;
 *  3. peak RSS holding 100,000 distinct entities, against the same process holding none;
 *  4. detection quality on the labelled evaluation stream.
 * BENCH_EVENTS (default 30000) sets the stream size; SIEM_STREAM_BENCH_PORT_OFFSET the stack's ports.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const offset = Number(process.env.SIEM_STREAM_BENCH_PORT_OFFSET ?? Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0) + 1_000);
const HOME = '.stack-bench';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function main() {
  const stack = await localStackUp({
    home: HOME,
    ...shiftedStackPorts(offset),
    onProgress: (m) => process.stderr.write(`[stack] ${m}\n`),
  });
  try {
    const id = Date.now().toString(36);
    const topology = localTopology(stack, `b${id}`, { enricher: { model: { watch: false } } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'bench');
    await ensureTopics(kafka, topologyTopics(topology));
    await produceRaw(kafka, names.raw('firewall'));

    const parser = await timeStage(topology, 'parser');
    const enricher = await timeStage(topology, 'enricher');
    const latency = await inferenceLatency();
    const rss = { baseline: entitiesChild(0), loaded: entitiesChild(100_000) };
    const model = await AnomalyModel.load('models/isolation-forest.onnx');
    const quality = await detectionQuality(model);

    const out = [
      `events: ${EVENTS} (firewall sessions of ${Math.round(EVENTS / 70)} hosts), 3 partitions, maxRecordsPerTransaction 500`,
      `parser   (baseline, pass-through): ${parser.rate.toFixed(0)} events/s steady  (start to first 10%: ${parser.startup.toFixed(1)} s)`,
      `enricher (windows+Drain+ONNX+changelog): ${enricher.rate.toFixed(0)} events/s steady  (start to first 10%: ${enricher.startup.toFixed(1)} s)  = ${(enricher.rate / parser.rate).toFixed(2)}× the parser`,
      `ONNX inference per batch of 500: p50 ${pct(latency, 50).toFixed(2)} ms  p95 ${pct(latency, 95).toFixed(2)} ms  p99 ${pct(latency, 99).toFixed(2)} ms  (${(500 / (pct(latency, 50) / 1000)).toFixed(0)} vectors/s at p50)`,
      `peak RSS: ${rss.loaded.peakRssMb.toFixed(0)} MB holding ${rss.loaded.entities} entities vs ${rss.baseline.peakRssMb.toFixed(0)} MB holding none (${(rss.loaded.peakRssMb / rss.baseline.peakRssMb).toFixed(2)}×; goal ≤ 512 MB)`,
      `detection (${quality.events} events, 20 injected incidents): precision ${quality.precision.toFixed(3)}  recall ${quality.recall.toFixed(3)} (incidents)  event recall ${quality.eventRecall.toFixed(3)}  flagged ${quality.flagged}`,
      `  recall by kind: ${Object.entries(quality.recallByKind)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')}`,
    ];
    process.stdout.write(`\n${out.join('\n')}\n`);
  } finally {
    await localStackDown({ home: HOME });
  }
}

async function produceRaw(kafka: ReturnType<typeof createKafka>, topic: string) {
  const hosts = Math.max(1, Math.round(EVENTS / 70));
  const events = labelledTraffic({ seed: 11, hosts, users: 0, durationMs: 3_600_000, incidentsPerKind: 0 }).slice(0, EVENTS);
  const producer = kafka.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  const messages = events.map(({ event: e }, i) => ({
    key: `bench/firewall/${i % 12}.log`,
    value: JSON.stringify({
      id: `b${i}`,
      ts: new Date(e.TimeGenerated).toISOString(),
      src: { ip: e.SrcIpAddr, port: 40_000 + (i % 20_000) },
      dst: { ip: e.DstIpAddr, port: e.DstPortNumber },
      proto: e.NetworkProtocol,
      action: e.DvcAction,
      bytes: e.SrcBytes,
    }),
    headers: {
      [RAW_HEADER.logType]: 'firewall',
      [RAW_HEADER.bucket]: 'bench',
      [RAW_HEADER.key]: `firewall/${i % 12}.log`,
      [RAW_HEADER.recordNumber]: String(i),
    },
  }));
  for (let i = 0; i < messages.length; i += 1_000) await producer.send({ topic, messages: messages.slice(i, i + 1_000) });
  await producer.disconnect();
  if (events.length < EVENTS) throw new Error(`generated only ${events.length} events`);
}

/**
 * Runs one stage in this process until it committed every event. The rate is steady state: the
 * clock starts once 10% were committed, after start-up (group join, and for the enricher the
 * restore of each partition, which `startup` reports: start to the first 10%).
 */
async function timeStage(topology: ReturnType<typeof loadTopology>, name: string) {
  let done = 0;
  let first = 0;
  let atFirst = 0;
  const started = performance.now();
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const stage = await startStage(topology, name, (count) => {
    done += count;
    if (first === 0 && done >= EVENTS / 10) {
      first = performance.now();
      atFirst = done;
    }
    if (done >= EVENTS) finished();
  });
  await all;
  const seconds = (performance.now() - first) / 1000;
  await stage.stop();
  return { seconds, rate: (EVENTS - atFirst) / seconds, startup: (first - started) / 1000 };
}

async function inferenceLatency(): Promise<number[]> {
  const model = await AnomalyModel.load('models/isolation-forest.onnx');
  const rows = featureRows(labelledTraffic({ seed: 13, hosts: 200, users: 100, durationMs: 1_800_000, incidentsPerKind: 2 })).map(
    (r) => r.features,
  );
  const times: number[] = [];
  for (let i = 0; i + 500 <= rows.length && times.length < 200; i += 500) {
    const t = performance.now();
    await model.score(rows.slice(i, i + 500));
    times.push(performance.now() - t);
  }
  await model.release();
  return times.sort((a, b) => a - b);
}

function entitiesChild(entities: number): { entities: number; peakRssMb: number } {
  const out = execFileSync('node_modules/.bin/vite-node', ['bench/enricher-entities.ts', String(entities)], { encoding: 'utf8' });
  const line = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line) as { entities: number; peakRssMb: number };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
