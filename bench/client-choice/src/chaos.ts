/**
 * Correctness under faults: N records in an input topic, `instances` transactional hops of one
 * client in a group reading it through the chaos harness's fault proxies, faults of one kind
 * injected while they work; then the output topic is read read_committed and every input id counted.
 *   vite-node src/chaos.ts <confluent|platformatic> <kill|zombie|broker|commit-timeout> [records] [instances]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultProxy, KAFKA_API } from '../../../src/dev/chaos/fault-proxy.js';
import { tcpOpen } from '../../../src/dev/stack/health.js';
import { stackUp } from '../../../src/dev/stack/index.js';
import { readPid } from '../../../src/dev/stack/process-files.js';
import { type Client, countOutput, createTopics, direct, progressOf, sleep, spawnWorker } from './harness.js';
import { BENCH_DIR, DIRECT_BROKERS, HOME, PORTS, PROXIED_BROKERS, REQUEST_TIMEOUT_MS, SESSION_TIMEOUT_MS } from './settings.js';

type Fault = 'kill' | 'zombie' | 'broker' | 'commit-timeout';
const client = process.argv[2] as Client;
const fault = process.argv[3] as Fault;
const records = Number(process.argv[4] ?? 200_000);
const instances = Number(process.argv[5] ?? 3);
/** all instances together: 200k records take ~80 s, long enough for three faults */
const TOTAL_RATE = Number(process.env.CC_CHAOS_RATE ?? 2_500);
const FAULT_TIMES_S = [12, 35, 58];
const PER_LIFE = process.env.CC_TXN_ID_PER_LIFE === '1';
const WATCHDOG = Number(process.env.CC_WATCHDOG_MS ?? 0) > 0;

const run = `${client}${PER_LIFE ? '-perlife' : ''}${WATCHDOG ? '-watchdog' : ''}-${fault}-${randomUUID().slice(0, 6)}`;
const logDir = join(BENCH_DIR, 'results', 'logs', run);
mkdirSync(logDir, { recursive: true });
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${run}: ${m}`);
const input = `cc-in-${run}`;
const output = `cc-out-${run}`;
const group = `cc-group-${run}`;

// the chaos harness's proxies, one per broker's PROXIED listener
const proxies = [1, 2, 3].map((n) => new FaultProxy(PORTS.kafkaProxied + 2 * (n - 1), PORTS.kafkaSecure + 2 * (n - 1) + 1));
await Promise.all(proxies.map((p) => p.start()));

await createTopics([input, output]);
log(`seeding ${records} records`);
const seed = spawnWorker({
  client: 'confluent',
  env: { CC_MODE: 'produce', CC_BROKERS: DIRECT_BROKERS.join(','), CC_OUT: input, CC_RECORDS: String(records), CC_LABEL: 'seed' },
  log: join(logDir, 'seed.log'),
});
const seeded = await seed.done;
if (!seeded) throw new Error('seeding failed, see seed.log');

// a small supervisor: instance slot i keeps its transactional id across restarts (the project's per-process id)
interface Slot {
  index: number;
  pid?: number;
  child?: ReturnType<typeof spawnWorker>['child'];
  exits: string[];
  starts: number;
}
let stopping = false;
const slots: Slot[] = Array.from({ length: instances }, (_, index) => ({ index, exits: [], starts: 0 }));
function start(slot: Slot): void {
  slot.starts++;
  const w = spawnWorker({
    client,
    env: {
      CC_MODE: 'hop',
      CC_BROKERS: PROXIED_BROKERS.join(','),
      CC_IN: input,
      CC_OUT: output,
      CC_GROUP: group,
      // stable per slot (the project's design); CC_TXN_ID_PER_LIFE=1: a new id per process life (a workaround)
      CC_TXN_ID: `${group}-hop-${slot.index}${PER_LIFE ? `-life-${slot.starts}` : ''}`,
      CC_RECORDS: '0',
      CC_MAX_RATE: String(Math.ceil(TOTAL_RATE / instances)),
      CC_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      CC_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      CC_LABEL: `hop-${slot.index}`,
    },
    log: join(logDir, `hop-${slot.index}.log`),
  });
  slot.child = w.child;
  w.child.once('exit', (code, signal) => {
    slot.exits.push(signal ?? `code ${code}`);
    slot.child = undefined;
    if (!stopping) setTimeout(() => stopping || start(slot), 1_000);
  });
}
for (const slot of slots) start(slot);

const startedAt = Date.now();
const injected: string[] = [];
const at = () => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
const pick = () => {
  const live = slots.filter((s) => s.child);
  return live[Math.floor(Math.random() * live.length)];
};

async function restartBrokers(): Promise<void> {
  await stackUp({ home: HOME, brokers: 3, ports: PORTS, services: ['kafka'], onProgress: () => undefined });
  for (const port of DIRECT_BROKERS.map((b) => Number(b.split(':')[1]))) while (!(await tcpOpen(port))) await sleep(500);
}

async function inject(): Promise<void> {
  switch (fault) {
    case 'kill': {
      const slot = pick();
      if (!slot?.child) return;
      slot.child.kill('SIGKILL');
      injected.push(`${at()}: SIGKILL hop-${slot.index}`);
      return;
    }
    case 'zombie': {
      const slot = pick();
      if (!slot?.child) return;
      const child = slot.child;
      const ms = SESSION_TIMEOUT_MS + 10_000;
      child.kill('SIGSTOP');
      injected.push(`${at()}: SIGSTOP hop-${slot.index} for ${ms} ms, then SIGCONT`);
      await sleep(ms);
      child.kill('SIGCONT');
      return;
    }
    case 'broker': {
      const admin = direct.admin();
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [input] });
      await admin.disconnect();
      const partitions = metadata.topics[0]?.partitions ?? [];
      const partition = partitions[Math.floor(Math.random() * partitions.length)];
      if (!partition) return;
      const pid = readPid(HOME, `kafka-${partition.leader}`);
      if (pid === undefined) return;
      process.kill(pid, 'SIGKILL');
      await sleep(10_000);
      await restartBrokers();
      injected.push(`${at()}: broker ${partition.leader} (leader of ${input}[${partition.partitionId}]) SIGKILLed, restarted after 10 s`);
      return;
    }
    case 'commit-timeout': {
      const before = proxies.reduce((n, p) => n + p.delayedRequests, 0);
      for (const p of proxies) p.faults.delayApi = { apiKeys: [KAFKA_API.EndTxn], ms: REQUEST_TIMEOUT_MS + 2_000 };
      await sleep(1_500);
      for (const p of proxies) delete p.faults.delayApi;
      const held = proxies.reduce((n, p) => n + p.delayedRequests, 0) - before;
      injected.push(`${at()}: ${held} EndTxn requests held ${REQUEST_TIMEOUT_MS + 2_000} ms (request timeout ${REQUEST_TIMEOUT_MS} ms)`);
      return;
    }
  }
}

const faults = (async () => {
  for (const t of FAULT_TIMES_S) {
    const due = startedAt + t * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    await inject().catch((e: unknown) => injected.push(`${at()}: ${fault} failed: ${(e as Error).message}`));
    log(injected[injected.length - 1] ?? '');
  }
})();

// until the group has committed every input record (or a deadline)
const deadline = startedAt + Number(process.env.CC_CHAOS_DEADLINE_S ?? 240) * 1000;
let last = { end: 0n, committed: 0n };
for (;;) {
  await sleep(3_000);
  last = await progressOf(group, input).catch(() => last);
  if (last.committed >= BigInt(records) && Date.now() > startedAt + (FAULT_TIMES_S.at(-1) ?? 0) * 1000) break;
  if (Date.now() > deadline) {
    log(`deadline: committed ${last.committed}/${records}`);
    break;
  }
}
await faults;
stopping = true;
for (const slot of slots) slot.child?.kill('SIGCONT');
for (const slot of slots) slot.child?.kill('SIGTERM');
await sleep(2_000);
for (const slot of slots) slot.child?.kill('SIGKILL');
for (const p of proxies) p.heal();
log(`committed ${last.committed}/${records} in ${at()}; counting ${output}`);
const count = await countOutput(output, records);
const result = {
  client,
  fault,
  transactionalId: PER_LIFE ? 'new per process life' : 'stable per instance',
  watchdogMs: Number(process.env.CC_WATCHDOG_MS ?? 0),
  records,
  instances,
  committed: Number(last.committed),
  wallS: Math.round((Date.now() - startedAt) / 1000),
  ...count,
  injected,
  restarts: slots.map((s) => ({ slot: s.index, starts: s.starts, exits: s.exits })),
  logs: logDir,
};
log(JSON.stringify(result));
writeFileSync(
  join(BENCH_DIR, 'results', `chaos-${client}${PER_LIFE ? '-perlife' : ''}${WATCHDOG ? '-watchdog' : ''}-${fault}.json`),
  `${JSON.stringify(result, null, 2)}\n`,
);
await Promise.all(proxies.map((p) => p.stop()));
process.exit(0);
