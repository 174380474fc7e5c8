/**
 * npm run eval:detection:offline — the detection evaluation's corpus through the parser's and the
 * enricher's own code in this process: no stack, no Kafka, seconds instead of minutes. For
 * iterating on features and the model; `npm run eval:detection` (the real stages, both delivery
 * orders, exactly once) is what the figures in docs/enrichment.md come from.
 * Objects are read in the live order (by delivery time, a few held back), or with EVAL_ORDER=backfill
 * as the s3-source reads a backfill (each source stream in key order, streams side by side); events go to one
 * PartitionStore per partition of topologies/default.yaml, by EntityKey as Kafka partitions it, and are scored in chunks.
 * Settings (env) as eval:detection: EVAL_RECORDS, EVAL_SEED, EVAL_BASE_RATE, EVAL_HOURS;
 * EVAL_MODEL (the topology's model), EVAL_TARGET_ALERT_RATE (the topology's); EVAL_FEATURES_CSV writes every event's features and label.
 */

import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { loadTopology } from '../src/config/load.js';
import { keyPartition } from '../src/kafka/murmur2.js';
import type { NormalizedEvent } from '../src/schemas/events.js';
import { RAW_HEADER } from '../src/schemas/raw-record.js';
import { sourceStreamOf } from '../src/schemas/source-stream.js';
import { AnomalyModel } from '../src/stages/enricher/anomaly-model.js';
import { FEATURE_NAMES, featureVector } from '../src/stages/enricher/features.js';
import { flagAndTrack } from '../src/stages/enricher/flag-and-track.js';
import { type Observation, PartitionStore } from '../src/stages/enricher/partition-store.js';
import { sourceClockPolicy } from '../src/stages/enricher/source-grace.js';
import { normalizeRecord } from '../src/stages/parser/normalize.js';
import { compileRouter, type KeyRoute } from '../src/stages/s3-source/key-routes.js';
import { readRecords } from '../src/stages/s3-source/record-reader.js';
import { generateCorpus, objectBody } from './detection-eval/corpus.js';
import { type CorpusObject, recordId } from './detection-eval/corpus-types.js';
import { type DeliveryOrder, deliveryOrder, trulyLate } from './detection-eval/delivery.js';
import { EVAL_ROUTES } from './detection-eval/eval-topology.js';
import { formatEvalTable } from './detection-eval/report.js';
import { type EnrichedSummary, scoreDetection } from './detection-eval/score.js';

const RECORDS = Number(process.env.EVAL_RECORDS ?? 60_000);
const SEED = Number(process.env.EVAL_SEED ?? 11);
const BASE_RATE = Number(process.env.EVAL_BASE_RATE ?? 0.005);
const HOURS = Number(process.env.EVAL_HOURS ?? 3);
const CHUNK = 500;
const ORDER = (process.env.EVAL_ORDER ?? 'live') as DeliveryOrder;
if (ORDER !== 'live' && ORDER !== 'backfill') throw new Error(`EVAL_ORDER: expected live or backfill, got ${ORDER}`);

/**
 * How the s3-source reads a backfill with `order: stream` and `concurrentObjects` ≥ the work
 * partitions: the lister enqueues every key in key order, each keyed by its source stream
 * (`<bucket>|<stream>`), and each work partition's objects are read one after another while the
 * partitions go side by side (here one object of each in turn). Which streams share a work
 * partition follows from the bucket's name, so EVAL_BUCKET changes the interleaving.
 */
function backfillReadOrder(objects: CorpusObject[], workPartitions: number, bucket: string): CorpusObject[] {
  const queues = Array.from({ length: workPartitions }, () => [] as CorpusObject[]);
  for (const o of [...objects].sort((a, b) => (a.key < b.key ? -1 : 1)))
    queues[keyPartition(`${bucket}|${sourceStreamOf(o.logType, o.key)}`, workPartitions)]?.push(o);
  const out: CorpusObject[] = [];
  for (let i = 0; out.length < objects.length; i++) for (const queue of queues) if (queue[i]) out.push(queue[i] as CorpusObject);
  return out;
}

async function main() {
  const topology = loadTopology('topologies/default.yaml', { env: {} });
  if (process.env.EVAL_TARGET_ALERT_RATE) topology.enricher.calibration.targetAlertRate = Number(process.env.EVAL_TARGET_ALERT_RATE);
  const model = await AnomalyModel.load(process.env.EVAL_MODEL ?? topology.enricher.model.path);
  const start = Math.floor((Date.now() - (HOURS + 1) * 3_600_000) / 3_600_000) * 3_600_000;
  const corpus = generateCorpus({ seed: SEED, records: RECORDS, baseRate: BASE_RATE, start, durationMs: HOURS * 3_600_000 });
  const ordered =
    ORDER === 'backfill'
      ? backfillReadOrder(corpus.objects, topology.topics.partitions, process.env.EVAL_BUCKET ?? 'eval')
      : deliveryOrder(corpus.objects, 'live', SEED);
  const route = compileRouter(EVAL_ROUTES as KeyRoute[]);
  const partitions = topology.topics.partitions;
  // each log type's delivery grace from its format, as the stage builds it
  const clocks = sourceClockPolicy(
    topology.enricher,
    Object.fromEntries(Object.entries(topology.logTypes).map(([name, t]) => [name, t.format])),
  );
  const stores = Array.from({ length: partitions }, () => new PartitionStore(topology.enricher, clocks));
  const summaries: EnrichedSummary[] = [];
  const csv: string[] = [['id', 'logType', 'kind', 'score', 'flagged', ...FEATURE_NAMES, 'template'].join(',')];
  let pending: Array<{ event: NormalizedEvent; store: PartitionStore; o: Observation }> = [];

  const flush = async () => {
    const scores = await model.score(pending.map((p) => featureVector(p.o.features)));
    pending.forEach(({ event, store, o }, i) => {
      const score = scores[i]?.score as number;
      const flagged = flagAndTrack(store, event, o, score, model).score.anomaly;
      const id = recordId(event.SourceKey, event.SourceRecordNumber);
      summaries.push({ id, logType: event.LogType, flagged, late: o.late, windowCount: o.features.events_in_window });
      if (process.env.EVAL_FEATURES_CSV)
        csv.push(
          [
            id,
            event.LogType,
            corpus.labels.get(id)?.kind ?? '',
            score,
            flagged ? 1 : 0,
            ...featureVector(o.features),
            o.template.tokens.slice(0, 4).join(' ').replaceAll(',', ' '),
          ].join(','),
        );
    });
    pending = [];
  };

  for (const object of ordered) {
    const routed = route(object.key);
    if (!routed) throw new Error(`no route for ${object.key}`);
    const state = { layouts: new Map<string, string[]>() };
    let n = 0;
    for await (const item of readRecords(Readable.from([objectBody(object)]), routed.framing ?? 'lines', {
      maxRecordBytes: 1 << 20,
      headBytes: 0,
    })) {
      if (item.kind !== 'record') throw new Error(`record ${n} of ${object.key} is oversized`);
      const headers = {
        [RAW_HEADER.logType]: object.logType,
        [RAW_HEADER.bucket]: 'eval',
        [RAW_HEADER.key]: object.key,
        [RAW_HEADER.recordNumber]: String(n),
      };
      const record = {
        topic: 'raw',
        partition: 0,
        offset: '0',
        timestamp: String(start + (HOURS + 0.5) * 3_600_000),
        key: null,
        value: item.value,
        headers,
      };
      const normalized = normalizeRecord(record, topology, state);
      n++;
      if (normalized.kind !== 'event') continue;
      const event = normalized.event;
      const store = stores[keyPartition(event.EntityKey, partitions)] as PartitionStore;
      pending.push({ event, store, o: store.observe(event) });
      if (pending.length >= CHUNK) await flush();
    }
  }
  await flush();
  const figures = scoreDetection(summaries, corpus.labels, trulyLate(ordered, ORDER));
  process.stdout.write(
    `${formatEvalTable({
      startedAt: new Date().toISOString(),
      settings: {
        records: RECORDS,
        seed: SEED,
        baseRate: BASE_RATE,
        hours: HOURS,
        hosts: corpus.hosts,
        users: corpus.users,
        liveSeconds: 0,
        orders: [ORDER],
      },
      corpus: { objects: corpus.objects.length, labelled: corpus.labels.size, incidents: {} },
      machine: {} as never,
      orders: [
        {
          order: ORDER,
          objects: ordered.length,
          records: corpus.records,
          seconds: 0,
          enricherPeakRssMiB: 0,
          deadLettered: { parser: 0, enricher: 0 },
          figures,
        },
      ],
    })}\n`,
  );
  if (process.env.EVAL_FEATURES_CSV) writeFileSync(process.env.EVAL_FEATURES_CSV, `${csv.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`eval:detection:offline failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
