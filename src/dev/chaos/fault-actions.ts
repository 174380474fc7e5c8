import type { KafkaConfig } from '../../config/schema.js';
import { setTopicConfig } from '../../kafka/admin.js';
import type { Admin } from '../../kafka/client.js';
import { emulatorPost } from '../emulator-stats.js';
import { readPid } from '../stack/process-files.js';
import type { FaultKind, PlannedFault } from './fault-plan.js';
import { type FaultProxy, KAFKA_API } from './fault-proxy.js';
import type { Instance, StageSupervisor } from './stage-supervisor.js';

export interface FaultContext {
  supervisor: StageSupervisor;
  /** one per broker, node id → proxy */
  proxies: Map<number, FaultProxy>;
  admin: Admin;
  /** the connection settings of `admin` (topic configs go through the protocol client) */
  kafka: KafkaConfig;
  stackHome: string;
  /** restarts whatever broker of the stack is down and waits until the cluster is whole */
  restartBrokers: () => Promise<void>;
  emulator: { url: string; caFile: string };
  /** a topic whose partition leaders the broker fault picks from */
  leaderTopic: string;
  parserDlqTopic: string;
  /** the group session timeout each stage runs with: a zombie must outlive it */
  sessionTimeoutOf: (stage: string) => number;
  requestTimeoutMs: number;
  random: () => number;
}

export interface InjectedFault {
  kind: FaultKind;
  atMs: number;
  target: string;
  detail: string;
}

/** below any DLQ record (its headers alone are larger), above a transaction marker */
const DLQ_REFUSING_MAX_BYTES = 400;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Carries out one planned fault; lasting faults resolve when they are over. */
export async function injectFault(fault: PlannedFault, ctx: FaultContext, startedAt: number): Promise<InjectedFault | undefined> {
  const record = (target: string, detail: string): InjectedFault => ({ kind: fault.kind, atMs: Date.now() - startedAt, target, detail });
  switch (fault.kind) {
    case 'kill':
    case 'term': {
      const instance = await someInstance(ctx, fault.stage as string);
      if (!instance) return undefined;
      ctx.supervisor.signal(instance, fault.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
      return record(instance.id, fault.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
    }
    case 'zombie': {
      const instance = await someInstance(ctx, fault.stage as string);
      if (!instance) return undefined;
      // past the session timeout the group moves its partitions; resumed, it still holds its old
      // assignment and open transactions: whatever it then writes must be fenced
      const pausedMs = ctx.sessionTimeoutOf(instance.stage) + 10_000;
      ctx.supervisor.pause(instance);
      await sleep(pausedMs);
      ctx.supervisor.resume(instance);
      return record(instance.id, `SIGSTOP for ${pausedMs} ms, then SIGCONT`);
    }
    case 'rebalance-storm': {
      const stage = fault.stage as string;
      const extras: Instance[] = [];
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 3; i++) extras.push(ctx.supervisor.start(stage, { ephemeral: true }));
        await sleep(2_000 + ctx.random() * 3_000);
        for (const extra of extras.splice(0)) {
          ctx.supervisor.signal(extra, ctx.random() < 0.5 ? 'SIGKILL' : 'SIGTERM');
          await sleep(500 + ctx.random() * 1_000);
        }
      }
      return record(stage, '2 rounds of 3 extra members joining and leaving');
    }
    case 'broker': {
      const metadata = await ctx.admin.fetchTopicMetadata({ topics: [ctx.leaderTopic] });
      const partitions = metadata[0]?.partitions ?? [];
      const partition = partitions[Math.floor(ctx.random() * partitions.length)];
      if (!partition) return undefined;
      const node = partition.leader;
      const pid = readPid(ctx.stackHome, `kafka-${node}`);
      if (pid === undefined) return undefined;
      process.kill(pid, 'SIGKILL');
      const downMs = 8_000 + Math.round(ctx.random() * 7_000);
      await sleep(downMs);
      await ctx.restartBrokers();
      return record(`broker ${node}`, `leader of ${ctx.leaderTopic}[${partition.partitionId}] SIGKILLed, restarted after ${downMs} ms`);
    }
    case 'latency': {
      const ms = 200 + Math.round(ctx.random() * 800);
      for (const p of ctx.proxies.values()) p.faults.latencyMs = ms;
      await sleep(10_000);
      for (const p of ctx.proxies.values()) p.faults.latencyMs = 0;
      return record('all brokers', `+${ms} ms on every request for 10 s`);
    }
    case 'reset': {
      let count = 0;
      for (const p of ctx.proxies.values()) count += p.resetAll();
      return record('all brokers', `${count} connections reset`);
    }
    case 'partition': {
      const nodes = [...ctx.proxies.keys()];
      const node = nodes[Math.floor(ctx.random() * nodes.length)] as number;
      const proxy = ctx.proxies.get(node) as FaultProxy;
      const ms = 6_000 + Math.round(ctx.random() * 6_000);
      proxy.faults.blackhole = true;
      await sleep(ms);
      proxy.heal();
      return record(`broker ${node}`, `clients cut off from it for ${ms} ms (black hole), then connections reset`);
    }
    case 'commit-timeout': {
      // EndTxn held past the request timeout: the commit times out in the client, which must abort
      // and re-initialise its producer — while the broker may still apply the late commit
      const before = sum([...ctx.proxies.values()].map((p) => p.delayedRequests));
      for (const p of ctx.proxies.values()) p.faults.delayApi = { apiKeys: [KAFKA_API.EndTxn], ms: ctx.requestTimeoutMs + 2_000 };
      await sleep(1_500);
      for (const p of ctx.proxies.values()) delete p.faults.delayApi;
      const held = sum([...ctx.proxies.values()].map((p) => p.delayedRequests)) - before;
      return record(
        'all brokers',
        `${held} EndTxn requests held ${ctx.requestTimeoutMs + 2_000} ms (request timeout ${ctx.requestTimeoutMs} ms)`,
      );
    }
    case 'sink-429':
      await emulatorPost(ctx.emulator.url, ctx.emulator.caFile, '/_emulator/faults', { throttle: { count: 4, retryAfterSeconds: 1 } });
      return record('Logs Ingestion', 'next 4 requests answered 429 with Retry-After: 1');
    case 'sink-5xx':
      await emulatorPost(ctx.emulator.url, ctx.emulator.caFile, '/_emulator/faults', { serverError: { count: 4, status: 503 } });
      return record('Logs Ingestion', 'next 4 requests answered 503');
    case 'sink-413':
      // the limit sits between one gzipped row (~0.5 KiB) and the batches the sink sends at the
      // chaos rate with its 100 ms latency default (a few KiB): a batch is split, no row refused
      await emulatorPost(ctx.emulator.url, ctx.emulator.caFile, '/_emulator/faults', { tooLarge: { count: 4, overBytes: 1536 } });
      return record('Logs Ingestion', 'next 4 requests over 1.5 KiB (gzipped) answered 413');
    case 'sink-reset':
      await emulatorPost(ctx.emulator.url, ctx.emulator.caFile, '/_emulator/faults', { dropConnection: { count: 2, afterAccept: true } });
      return record('Logs Ingestion', 'next 2 requests accepted, then the connection reset before the answer');
    case 'dlq-unwritable': {
      // a DLQ that refuses every record: the parser must stop rather than skip the bad records.
      // Not lower than this: the brokers' own transaction markers (~80 bytes) must still fit, or
      // the coordinator cannot complete any transaction that touched the DLQ (seen at 64 bytes)
      const ms = 15_000 + Math.round(ctx.random() * 10_000);
      await setTopicConfig(ctx.kafka, ctx.parserDlqTopic, 'max.message.bytes', String(DLQ_REFUSING_MAX_BYTES));
      await sleep(ms);
      await setTopicConfig(ctx.kafka, ctx.parserDlqTopic, 'max.message.bytes', '1048588');
      return record(ctx.parserDlqTopic, `max.message.bytes=${DLQ_REFUSING_MAX_BYTES} for ${ms} ms`);
    }
  }
}

/** A running, unpaused instance of the stage; waits a little if all are restarting. */
async function someInstance(ctx: FaultContext, stage: string): Promise<Instance | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const running = ctx.supervisor.running(stage).filter((i) => !i.ephemeral);
    if (running.length > 0) return running[Math.floor(ctx.random() * running.length)];
    await sleep(500);
  }
  return undefined;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
