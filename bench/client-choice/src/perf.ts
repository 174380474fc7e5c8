/**
 * Throughput and CPU without faults, per client: a plain produce, a plain consume and the
 * transactional hop (one instance), each over the same N records, `rounds` rounds with the
 * clients alternating, and the median per figure. Direct broker ports, no proxies.
 *   vite-node src/perf.ts [records] [rounds]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CLIENTS, type Client, countOutput, createTopics, median, spawnWorker } from './harness.js';
import { BENCH_DIR, DIRECT_BROKERS } from './settings.js';

const records = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const logDir = join(BENCH_DIR, 'results', 'logs', `perf-${randomUUID().slice(0, 6)}`);
mkdirSync(logDir, { recursive: true });
type Mode = 'produce' | 'consume' | 'hop';
const results: Array<{ client: Client; mode: Mode; round: number; loadavg: number } & Record<string, unknown>> = [];

for (let round = 1; round <= rounds; round++) {
  for (const client of round % 2 === 1 ? CLIENTS : [...CLIENTS].reverse()) {
    const run = `${client}-${round}-${randomUUID().slice(0, 6)}`;
    const [input, output] = [`cc-perf-in-${run}`, `cc-perf-out-${run}`];
    await createTopics([input, output]);
    const base = { CC_BROKERS: DIRECT_BROKERS.join(','), CC_RECORDS: String(records) };
    for (const [mode, extra] of [
      ['produce', { CC_OUT: input }],
      ['consume', { CC_IN: input, CC_GROUP: `cc-perf-c-${run}` }],
      ['hop', { CC_IN: input, CC_OUT: output, CC_GROUP: `cc-perf-h-${run}`, CC_TXN_ID: `cc-perf-${run}` }],
    ] as const) {
      const load = loadavg()[0] as number;
      const w = spawnWorker({
        client,
        env: { ...base, ...extra, CC_MODE: mode, CC_LABEL: `perf-${mode}` },
        log: join(logDir, `${run}-${mode}.log`),
      });
      const done = await w.done;
      const row = { client, mode, round, loadavg: Number(load.toFixed(1)), ...(done ?? { failed: true }) };
      results.push(row);
      console.log(JSON.stringify(row));
    }
    const count = await countOutput(output, records);
    console.log(JSON.stringify({ client, round, hopOutput: count }));
  }
}

const summary = CLIENTS.flatMap((client) =>
  (['produce', 'consume', 'hop'] as Mode[]).map((mode) => {
    const rows = results.filter((r) => r.client === client && r.mode === mode && typeof r.recordsPerSec === 'number');
    return {
      client,
      mode,
      runs: rows.length,
      recordsPerSec: rows.length ? median(rows.map((r) => r.recordsPerSec as number)) : null,
      cpuSecPer100k: rows.length ? median(rows.map((r) => r.cpuSecPer100k as number)) : null,
      loadavg: rows.map((r) => r.loadavg),
    };
  }),
);
console.table(summary);
writeFileSync(join(BENCH_DIR, 'results', 'perf.json'), `${JSON.stringify({ records, rounds, summary, runs: results }, null, 2)}\n`);
process.exit(0);
