import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { ensureTopics, groupLag, topologyTopics } from '../../kafka/admin.js';
import type { Kafka } from '../../kafka/client.js';
import { createKafka } from '../../kafka/client-factory.js';
import { stableOffsets } from '../../kafka/end-offsets.js';
import { connectAdmin } from '../../kafka/rdkafka.js';
import { scanTopic } from '../../ops/scan-topic.js';
import { stageGroups } from '../../ops/stage-groups.js';
import { stageNames } from '../../runtime/stages.js';
import { SINK_MIN_SESSION_TIMEOUT_MS } from '../../sinks/runtime/sink-runner.js';
import { createS3Client } from '../../stages/s3-source/s3-client.js';
import { mulberry32 } from '../../util/seeded-random.js';
import { emulatorGet, eventRecords, fetchEmulatorStats, incidentTables } from '../emulator-stats.js';
import { type LocalStack, localStackDown, localStackUp } from '../local-stack.js';
import { localTopology } from '../local-topology.js';
import { generateSampleObjects, type SampleObject, uploadSampleObjects } from '../sample-logs.js';
import { tcpOpen } from '../stack/health.js';
import { stackUp } from '../stack/index.js';
import type { StackPorts } from '../stack/service.js';
import { type FaultContext, type InjectedFault, injectFault } from './fault-actions.js';
import { type FaultKind, LASTING, planFaults } from './fault-plan.js';
import { FaultProxy } from './fault-proxy.js';
import { buildReport, type ChaosReport } from './report.js';
import { StageSupervisor } from './stage-supervisor.js';
import { CommittedProbe, type Corpus, countAtEmulator, countByHeaders, countEvents } from './tally.js';

export interface ChaosOptions {
  records: number;
  recordsPerObject: number;
  malformedEvery: number;
  /** records per second written to S3 while faults are injected */
  rate: number;
  faults: FaultKind[];
  killsPerStage: number;
  /** how many of every other fault kind */
  eachOther: number;
  instancesPerStage: number;
  seed: number;
  /** stack home and the first of its ports (see chaosPorts) */
  home: string;
  portBase: number;
  keepStack: boolean;
  drainTimeoutMs: number;
  progress: (message: string) => void;
}

/** A stack of its own: 3 brokers with fault proxies in front, so the demo's and tests' stacks are untouched. */
export function chaosPorts(base: number): { ports: StackPorts; emulatorPort: number; registrySecurePort: number } {
  return {
    ports: {
      kafka: base + 92,
      controller: base + 93,
      kafkaSecure: base + 98,
      kafkaProxied: base + 110,
      registry: base + 81,
      s3: base,
      sqs: base + 324,
      cloudwatch: base + 400,
    },
    emulatorPort: base + 443,
    registrySecurePort: base + 82,
  };
}

// a group rebalance can hold SyncGroup to the request timeout: kept well above a broker restart
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const REQUEST_TIMEOUT_MS = 10_000;
const SESSION_TIMEOUT_MS = 10_000;

/**
 * The whole topology on a 3-broker local stack over a generated corpus with known record
 * positions, with faults injected at seeded random times while the corpus is written; then
 * everything heals, the pipeline drains, and every record is counted in every place.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { progress } = options;
  const startedAt = Date.now();
  const { ports, emulatorPort, registrySecurePort } = chaosPorts(options.portBase);
  const stack = await localStackUp({
    home: options.home,
    brokers: 3,
    ports,
    emulatorPort,
    registrySecurePort,
    services: ['kafka', 'registry', 's3'],
    onProgress: progress,
  }).catch(async (error: unknown) => {
    // what did start would block the next run on this home
    if (!options.keepStack) await localStackDown({ home: options.home });
    throw error;
  });
  const proxies = new Map(stack.kafkaProxied.map((p) => [p.node, new FaultProxy(p.advertised, p.listen)] as const));
  await Promise.all([...proxies.values()].map((p) => p.start()));
  const runId = randomUUID().slice(0, 8);
  const runDir = resolve(options.home, 'chaos-runs', runId);
  mkdirSync(runDir, { recursive: true });
  const topology = chaosTopology(stack, runId);
  const topologyFile = join(runDir, 'topology.yaml');
  writeFileSync(topologyFile, stringify(topology));
  const names = topicNames(topology);
  // the harness itself talks to the brokers directly, never through the faulty proxies
  const directSettings = { ...topology.kafka, brokers: stack.kafkaBrokers };
  const direct = createKafka(directSettings, 'chaos-harness');
  const admin = await connectAdmin(direct);
  const supervisor = new StageSupervisor(cliEntry(), topologyFile, runDir, { SIEM_STREAM_LOG_LEVEL: 'info' });
  try {
    await ensureTopics(direct, topologyTopics(topology));
    const objects = Math.ceil(options.records / options.recordsPerObject);
    const samples = generateSampleObjects({
      objects,
      recordsPerObject: options.recordsPerObject,
      malformedEvery: options.malformedEvery,
      runId,
      seed: options.seed,
    });
    const corpus: Corpus = {
      bucket: topology.source.s3.bucket,
      objectIndex: new Map(samples.map((s, i) => [s.key, i])),
      recordsPerObject: options.recordsPerObject,
      valid: samples.reduce((n, s) => n + s.valid, 0),
      malformed: samples.reduce((n, s) => n + s.malformed, 0),
    };
    const s3 = createS3Client(topology.source.s3);
    await uploadSampleObjects(s3, corpus.bucket, []); // creates the bucket
    const emulator = { url: stack.emulatorUrl, caFile: stack.emulatorCaFile };
    // incidents land in the emulator too; the corpus is counted in the event tables only
    const incidents = incidentTables(topology);
    const acceptedBefore = eventRecords(await fetchEmulatorStats(emulator.url, emulator.caFile), incidents);
    progress(
      `run ${runId}: ${objects * options.recordsPerObject} records in ${objects} objects (${corpus.malformed} malformed), logs in ${runDir}`,
    );

    for (const stage of stageNames(topology)) for (let i = 0; i < options.instancesPerStage; i++) supervisor.start(stage);

    const windowMs = Math.max(30_000, (1000 * objects * options.recordsPerObject) / options.rate);
    const plan = planFaults({
      seed: options.seed,
      windowMs,
      stages: stageNames(topology),
      kinds: options.faults,
      killsPerStage: options.killsPerStage,
      eachOther: options.eachOther,
    });
    progress(`writing for ${(windowMs / 1000).toFixed(0)} s at ${options.rate} records/s while ${plan.length} faults are injected`);
    const faultStart = Date.now();
    const context: FaultContext = {
      supervisor,
      proxies,
      admin,
      kafka: directSettings,
      stackHome: stack.home,
      restartBrokers: async () => {
        await stackUp({ home: stack.home, brokers: 3, ports, services: ['kafka'], onProgress: () => undefined });
        // the cluster still lists a killed broker until its session expires: wait for the port, then for it to rejoin
        for (const port of [0, 1, 2].map((i) => ports.kafka + 2 * i)) while (!(await tcpOpen(port))) await sleep(500);
        await sleep(5_000);
      },
      emulator,
      leaderTopic: names.normalized,
      parserDlqTopic: names.dlq('parser'),
      sessionTimeoutOf: (stage) =>
        topology.sinks.some((s) => s.name === stage) ? Math.max(SESSION_TIMEOUT_MS, SINK_MIN_SESSION_TIMEOUT_MS) : SESSION_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      random: mulberry32(options.seed + 1),
    };
    const injected: InjectedFault[] = [];
    const failures: string[] = [];
    let uploaded = 0;
    const writer = writePaced(s3, corpus.bucket, samples, windowMs, () => uploaded++);
    const faults = runPlan(plan, context, faultStart, injected, failures);
    const ticker = setInterval(() => {
      void fetchEmulatorStats(emulator.url, emulator.caFile)
        .then((s) =>
          progress(
            `objects ${uploaded}/${objects}  accepted ${eventRecords(s, incidents) - acceptedBefore}/${corpus.valid}  faults ${injected.length}/${plan.length}  instances ${supervisor.running().length}`,
          ),
        )
        .catch(() => undefined);
    }, 10_000);
    try {
      await Promise.all([writer, faults]);
    } finally {
      clearInterval(ticker);
    }
    for (const proxy of proxies.values()) proxy.heal();
    progress(`all objects written and ${injected.length} faults injected; draining`);
    await drain(direct, topology, emulator, acceptedBefore + corpus.valid, options.drainTimeoutMs, progress);
    const drainedAt = Date.now();
    await supervisor.stopAll();

    progress('counting every record in every topic and at the destination');
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(topology.topics.prefix));
    const offsets = await stableOffsets(direct, topics);
    // the source's work group too: every discovered object was taken up
    const groups = [
      ...stageGroups(topology),
      { stage: 's3-source', group: topology.source.s3.transactionalId, topics: [names.sourceWork] },
    ];
    const probes = new Map(
      await Promise.all(groups.map(async (g) => [g.stage, await CommittedProbe.of(direct, g.group, g.topics)] as const)),
    );
    const probe = (stage: string) => probes.get(stage) as CommittedProbe;
    const sinkName = topology.sinks[0]?.name ?? 'sentinel';
    const dlqByClass = new Map<string, number>();
    const raw = await countByHeaders(direct, names.allRaw, corpus, { probe: probe('parser') });
    const parserDlq = await countByHeaders(direct, [names.dlq('parser')], corpus, { byClass: dlqByClass });
    const normalized = await countEvents(direct, names.normalized, 'normalized', corpus, probe('enricher'));
    const enricherDlq = await countByHeaders(direct, [names.dlq('enricher')], corpus);
    const enriched = await countEvents(direct, names.enriched, 'enriched', corpus, probe(sinkName));
    const sinkDlq = await countByHeaders(direct, [names.dlq(sinkName)], corpus);
    await scanTopic(direct, names.sourceWork, (partition, message) => {
      probe('s3-source').see(names.sourceWork, partition, message.offset);
      return undefined;
    });
    const lag = groups.map((g) => ({ stage: g.stage, lag: BigInt(probe(g.stage).pending) }));
    const destination = await countAtEmulator(emulator, corpus);
    const emulatorStats = await emulatorGet<{ rejections: { byStatus: Record<string, number> }; connectionsDropped: number }>(
      emulator.url,
      emulator.caFile,
      '/_emulator/stats',
    );
    return buildReport({
      runId,
      options,
      corpus,
      plan,
      injected,
      failures,
      exits: stageNames(topology).map((stage) => ({ stage, exits: supervisor.exitsOf(stage) })),
      counts: { raw, parserDlq, normalized, enricherDlq, enriched, sinkDlq, destination },
      dlqByClass,
      offsets,
      lag,
      emulatorRejections: emulatorStats.rejections.byStatus,
      faultWindowMs: drainedAt - faultStart,
      wallMs: Date.now() - startedAt,
      runDir,
    });
  } finally {
    await supervisor.stopAll();
    await admin.disconnect().catch(() => undefined);
    await Promise.all([...proxies.values()].map((p) => p.stop()));
    if (!options.keepStack) await localStackDown({ home: stack.home });
  }
}

function chaosTopology(stack: LocalStack, runId: string): Topology {
  return localTopology(
    stack,
    `chaos-${runId}`,
    {
      // the stages reach Kafka only through the fault proxies
      kafka: {
        brokers: stack.kafkaProxied.map((p) => `127.0.0.1:${p.advertised}`),
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      },
      topics: { partitions: 3, replicationFactor: 3 },
      source: { s3: { sessionTimeoutMs: SESSION_TIMEOUT_MS } },
    },
    resolve(projectRoot(), 'topologies', 'default.yaml'),
  );
}

/** Uploads the objects evenly over the window, so every stage has work while faults happen. */
async function writePaced(
  s3: ReturnType<typeof createS3Client>,
  bucket: string,
  samples: SampleObject[],
  windowMs: number,
  onObject: () => void,
) {
  const started = Date.now();
  const every = windowMs / samples.length;
  for (const [i, sample] of samples.entries()) {
    const due = started + i * every;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await uploadSampleObjects(s3, bucket, [sample]);
    onObject();
  }
}

/** Each fault at its time; a lasting fault waits for the previous one of its kind to end. */
async function runPlan(
  plan: ReturnType<typeof planFaults>,
  ctx: FaultContext,
  startedAt: number,
  injected: InjectedFault[],
  failures: string[],
) {
  const active = new Map<FaultKind, Promise<unknown>>();
  const all: Promise<unknown>[] = [];
  for (const fault of plan) {
    const due = startedAt + fault.atMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const previous = LASTING.has(fault.kind) ? active.get(fault.kind) : undefined;
    const run = (previous ?? Promise.resolve())
      .then(() => injectFault(fault, ctx, startedAt))
      .then(
        (done) => {
          if (done) injected.push(done);
          else failures.push(`${fault.kind}${fault.stage ? ` ${fault.stage}` : ''} at ${fault.atMs} ms: no target`);
        },
        (error: unknown) => failures.push(`${fault.kind} at ${fault.atMs} ms failed: ${(error as Error).message}`),
      );
    if (LASTING.has(fault.kind)) active.set(fault.kind, run);
    all.push(run);
  }
  await Promise.all(all);
}

/**
 * Until the destination holds every valid record and the groups' committed offsets stand still at
 * their ends (end − committed ≤ 1: an idle transactional partition ends with its commit marker),
 * three polls in a row. The exact lag is counted afterwards, record by record.
 */
async function drain(
  kafka: Kafka,
  topology: Topology,
  emulator: { url: string; caFile: string },
  expectedAccepted: number,
  timeoutMs: number,
  progress: (m: string) => void,
) {
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  let last = '';
  for (; ; await sleep(2_000)) {
    const polled = await Promise.all([
      fetchEmulatorStats(emulator.url, emulator.caFile),
      Promise.all(stageGroups(topology).map((g) => groupLag(kafka, g.group, g.topics))),
    ]).catch((error: unknown) => {
      progress(`draining: poll failed (${(error as Error).message}); polling again`);
      return undefined;
    });
    if (!polled) continue;
    const accepted = eventRecords(polled[0], incidentTables(topology));
    const rows = polled[1].flat();
    const behind = rows.filter((r) => r.lag > 1n).reduce((n, r) => n + r.lag, 0n);
    const state = `accepted ${accepted}/${expectedAccepted}, behind ${behind}, committed ${rows
      .map((r) => `${r.topic}#${r.partition}=${r.committed}`)
      .sort()
      .join(',')}`;
    if (state !== last) progress(`draining: accepted ${accepted}/${expectedAccepted}, ${behind} records behind`);
    calm = accepted >= expectedAccepted && state === last ? calm + 1 : 0;
    last = state;
    // end − committed also counts aborted records at a partition's tail, which no reader will ever
    // commit past: a group still "behind" whose offsets have not moved for 30 s is done, and the
    // true-lag check of the count says whether anything was really left
    if ((behind === 0n && calm >= 3) || calm >= 15) return;
    if (Date.now() > deadline) {
      progress(`drain timed out after ${timeoutMs} ms (${state}); counting what arrived`);
      return;
    }
  }
}

function projectRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** The built CLI the stages run from (tests run sources through vitest, stages always run dist/). */
function cliEntry(): string {
  return join(projectRoot(), 'dist', 'cli', 'main.js');
}
