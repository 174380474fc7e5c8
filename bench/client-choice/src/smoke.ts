/** vite-node src/smoke.ts <client> <records>: produce, consume and hop once, small. */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, countOutput, createTopics, spawnWorker } from './harness.js';
import { BENCH_DIR, DIRECT_BROKERS } from './settings.js';

const client = process.argv[2] as Client;
const records = Number(process.argv[3] ?? 20000);
const run = randomUUID().slice(0, 6);
const dir = join(BENCH_DIR, 'results', 'logs');
mkdirSync(dir, { recursive: true });
const [input, output] = [`cc-smoke-in-${run}`, `cc-smoke-out-${run}`];
await createTopics([input, output]);
const base = { CC_BROKERS: DIRECT_BROKERS.join(','), CC_RECORDS: String(records) };
for (const [mode, extra] of [
  ['produce', { CC_OUT: input }],
  ['consume', { CC_IN: input, CC_GROUP: `cc-smoke-c-${run}` }],
  ['hop', { CC_IN: input, CC_OUT: output, CC_GROUP: `cc-smoke-h-${run}`, CC_TXN_ID: `cc-smoke-${run}` }],
] as const) {
  const w = spawnWorker({
    client,
    env: { ...base, ...extra, CC_MODE: mode, CC_LABEL: `smoke-${mode}` },
    log: join(dir, `smoke-${client}-${mode}.log`),
  });
  console.log(mode, JSON.stringify(await w.done));
}
console.log('count', JSON.stringify(await countOutput(output, records)));
process.exit(0);
