/**
 * npm run eval:detection [-- --keep-stack] — how well the enricher flags attacks in traffic it was
 * not trained on. A labelled corpus of AWS-shaped logs (bench/detection-eval/: CloudTrail with rare
 * destructive calls and sign-in brute force, VPC Flow with port scans and exfiltration, sshd
 * syslog, PAN-OS CEF), from its own generator, is written to S3 as AWS and a Firehose stream lay
 * it out; the real s3-source, parser and enricher run as processes on a local stack of their own
 * (home .stack-eval, ports shifted by SIEM_STREAM_EVAL_PORT_OFFSET, default
 * SIEM_STREAM_TEST_PORT_OFFSET + 2500) until every record is in the enriched topic; the enriched
 * events are joined with the labels by source position (SourceKey, SourceRecordNumber).
 * Settings (env): EVAL_RECORDS (60000), EVAL_SEED (11), EVAL_BASE_RATE (0.005), EVAL_HOURS (3) of
 * event time, EVAL_HOSTS / EVAL_USERS (scale with records), EVAL_ORDERS (live,backfill),
 * EVAL_LIVE_SECONDS (records / 250, at least 120: the live order's delivery times compressed into this much wall time),
 * EVAL_STALL_SECONDS (300). One block per order on stdout; JSON in bench/results/detection-eval-<time>.json.
 */

import { loadavg } from 'node:os';
import { localStackDown, localStackUp, shiftedStackPorts } from '../src/dev/local-stack.js';
import { generateCorpus } from './detection-eval/corpus.js';
import { DELIVERY_ORDERS, type DeliveryOrder } from './detection-eval/delivery.js';
import { type EvalResult, formatEvalTable, writeEvalResult } from './detection-eval/report.js';
import { type OrderResult, runOrder } from './detection-eval/run-order.js';
import { machine, versions } from './e2e-report.js';

const RECORDS = Number(process.env.EVAL_RECORDS ?? 60_000);
const SEED = Number(process.env.EVAL_SEED ?? 11);
const BASE_RATE = Number(process.env.EVAL_BASE_RATE ?? 0.005);
const HOURS = Number(process.env.EVAL_HOURS ?? 3);
const HOSTS = process.env.EVAL_HOSTS === undefined ? undefined : Number(process.env.EVAL_HOSTS);
const USERS = process.env.EVAL_USERS === undefined ? undefined : Number(process.env.EVAL_USERS);
const ORDERS = (process.env.EVAL_ORDERS ?? DELIVERY_ORDERS.join(',')).split(',').map((o) => o.trim());
/** slower than the stages on a busy 2-core machine (~300 records/s), so the source reads the live order as written, not a backlog in key order */
const LIVE_SECONDS = Number(process.env.EVAL_LIVE_SECONDS ?? Math.max(120, Math.round(RECORDS / 250)));
const STALL_MS = Number(process.env.EVAL_STALL_SECONDS ?? 300) * 1000;
const OFFSET = Number(process.env.SIEM_STREAM_EVAL_PORT_OFFSET ?? Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0) + 2_500);
const KEEP_STACK = process.argv.includes('--keep-stack');
const HOME = '.stack-eval';

const say = (m: string) => process.stderr.write(`[eval:detection] ${m}\n`);

function checkSettings(): DeliveryOrder[] {
  const bad = ORDERS.filter((o) => !(DELIVERY_ORDERS as readonly string[]).includes(o));
  if (bad.length > 0) throw new Error(`EVAL_ORDERS: ${bad.join(', ')} is not one of ${DELIVERY_ORDERS.join(', ')}`);
  if (!(RECORDS >= 1_000)) throw new Error(`EVAL_RECORDS: expected a number ≥ 1000, got ${process.env.EVAL_RECORDS}`);
  if (!(BASE_RATE > 0 && BASE_RATE < 0.2))
    throw new Error(`EVAL_BASE_RATE: expected a share between 0 and 0.2, got ${process.env.EVAL_BASE_RATE}`);
  if (!(HOURS > 0)) throw new Error(`EVAL_HOURS: expected a positive number, got ${process.env.EVAL_HOURS}`);
  return ORDERS as DeliveryOrder[];
}

async function main() {
  const orders = checkSettings();
  const startedAt = new Date().toISOString();
  // history that ends an hour ago: syslog's year-less timestamps resolve against the time the records are read
  const start = Math.floor((Date.now() - (HOURS + 1) * 3_600_000) / 3_600_000) * 3_600_000;
  say(
    `generating ${RECORDS.toLocaleString('en-US')} records (seed ${SEED}, base rate ${BASE_RATE}, ${HOURS} h from ${new Date(start).toISOString()})`,
  );
  const corpus = generateCorpus({
    seed: SEED,
    records: RECORDS,
    baseRate: BASE_RATE,
    start,
    durationMs: HOURS * 3_600_000,
    hosts: HOSTS,
    users: USERS,
  });
  const incidents: Record<string, number> = {};
  for (const label of new Set([...corpus.labels.values()].map((l) => `${l.kind} ${l.incident}`))) {
    const kind = label.split(' ')[0] as string;
    incidents[kind] = (incidents[kind] ?? 0) + 1;
  }
  say(
    `${corpus.objects.length} objects, ${corpus.labels.size} labelled records, incidents ${JSON.stringify(incidents)}, ${corpus.hosts} hosts, ${corpus.users} users`,
  );
  say(`starting the local stack in ${HOME} (ports +${OFFSET})`);
  const stack = await localStackUp({
    home: HOME,
    ...shiftedStackPorts(OFFSET),
    onProgress: (m) => say(`[stack] ${m}`),
  });
  const loadAverageStart = loadavg();
  try {
    const results: OrderResult[] = [];
    for (const order of orders)
      results.push(await runOrder(stack, corpus, order, { seed: SEED, liveSeconds: LIVE_SECONDS, stallMs: STALL_MS }, say));
    const result: EvalResult = {
      startedAt,
      settings: {
        records: RECORDS,
        seed: SEED,
        baseRate: BASE_RATE,
        hours: HOURS,
        hosts: corpus.hosts,
        users: corpus.users,
        liveSeconds: LIVE_SECONDS,
        orders,
      },
      corpus: { objects: corpus.objects.length, labelled: corpus.labels.size, incidents },
      machine: { ...machine(), loadAverageStart, loadAverageEnd: loadavg(), versions: versions() },
      orders: results,
    };
    process.stdout.write(`${formatEvalTable(result)}\n`);
    say(`figures written to ${writeEvalResult(result)}`);
  } finally {
    if (KEEP_STACK) say(`stack left running under ${HOME}; stop it with: node dist/cli/main.js stack down --home ${HOME}`);
    else await localStackDown({ home: HOME });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`eval:detection failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
