/**
 * The driver's side: topics, worker processes, offsets and the final count. It talks to the
 * brokers directly (never through the fault proxies) with the project's own kafkajs helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import kafkajs from 'kafkajs';
import { scanTopic } from '../../../src/ops/scan-topic.js';
import { idOf } from './records.js';
import { BENCH_DIR, DIRECT_BROKERS, PARTITIONS } from './settings.js';

const { Kafka, logLevel } = kafkajs;
export type Client = 'confluent' | 'platformatic';
export const CLIENTS: Client[] = ['confluent', 'platformatic'];

export const direct = new Kafka({ clientId: 'cc-harness', brokers: DIRECT_BROKERS, logLevel: logLevel.NOTHING });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function createTopics(names: string[]): Promise<void> {
  const admin = direct.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: names.map((topic) => ({
        topic,
        numPartitions: PARTITIONS,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Records in the topic and committed by the group, per partition. */
export async function progressOf(group: string, topic: string): Promise<{ end: bigint; committed: bigint }> {
  const admin = direct.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    let end = 0n;
    let committed = 0n;
    for (const e of ends) end += BigInt(e.high);
    for (const p of offsets?.partitions ?? []) committed += BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
    return { end, committed };
  } finally {
    await admin.disconnect();
  }
}

/** Reads the topic read_committed to its end and counts each input id. */
export async function countOutput(
  topic: string,
  expected: number,
): Promise<{ total: number; distinct: number; lost: number; duplicated: number; dupIds: number[] }> {
  const seen = new Uint8Array(expected);
  let total = 0;
  let bad = 0;
  await scanTopic(
    direct,
    topic,
    (_p, m) => {
      const id = idOf(m.value);
      total++;
      if (id < 0 || id >= expected) bad++;
      else if ((seen[id] ?? 0) < 255) seen[id] = (seen[id] ?? 0) + 1;
      return undefined;
    },
    300_000,
  );
  let distinct = 0;
  let duplicated = 0;
  const dupIds: number[] = [];
  for (let i = 0; i < expected; i++) {
    const n = seen[i] ?? 0;
    if (n > 0) distinct++;
    if (n > 1) {
      duplicated += n - 1;
      if (dupIds.length < 10) dupIds.push(i);
    }
  }
  return { total, distinct, lost: expected - distinct, duplicated: duplicated + bad, dupIds };
}

export interface WorkerSpec {
  client: Client;
  env: Record<string, string>;
  log: string;
}

const VITE_NODE = resolve(BENCH_DIR, '..', '..', 'node_modules', '.bin', 'vite-node');

/** One worker process; its JSON lines (and stderr) go to the log; resolves `done` with the last report. */
export function spawnWorker(spec: WorkerSpec): { child: ChildProcess; done: Promise<Record<string, unknown> | undefined> } {
  const out = createWriteStream(spec.log, { flags: 'a' });
  const child = spawn(VITE_NODE, [join(BENCH_DIR, 'src', `worker-${spec.client}.ts`)], {
    cwd: BENCH_DIR,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last: Record<string, unknown> | undefined;
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out.write(chunk);
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.event === 'done') last = parsed;
      } catch {
        /* a log line */
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => out.write(chunk));
  const done = new Promise<Record<string, unknown> | undefined>((r) => child.once('exit', () => r(last)));
  return { child, done };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
