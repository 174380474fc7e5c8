/**
 * The Kafka Streams peer of the parser stage (bench/peers/kafka-streams-parser): built once with
 * Maven into the project's cache, then run as one JVM per format that the bench drives round by
 * round on its standard input (see ParserPeer.java for the protocol).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Topology } from '../src/config/schema.js';
import { topicNames } from '../src/config/topics.js';
import { cacheDir, findMaven, run } from '../src/dev/stack/cache.js';
import { findJava, type JavaRuntime } from '../src/dev/stack/java.js';
import { ensureTopics } from '../src/kafka/admin.js';
import type { Kafka } from '../src/kafka/client.js';
import { SCHEMA_FILES, SCHEMAS_DIR } from '../src/schemas/catalog.js';
import { EventCodec } from '../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../src/schemas/events.js';
import { createRegistry } from '../src/schemas/registry-client.js';
import { peakRssOf } from './process-memory.js';
import { percentile } from './stats.js';

export const PEER_DIR = resolve('bench', 'peers', 'kafka-streams-parser');
/** The parser formats the peer has a port of (Formats.java). */
export const PEER_FORMATS = new Set(['json', 'cloudtrail']);
const MAIN_CLASS = 'io.siemstream.peer.ParserPeer';

/** JVM options: a heap a user would give a small Streams app (the default would be a quarter of the machine's memory). */
export const PEER_JVM_OPTIONS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];

export interface PeerBuild {
  /** the app's jar and its runtime dependencies */
  classpath: string;
  dir: string;
  hash: string;
  java: JavaRuntime;
}

/** The pom and sources, hashed: a change of either builds again. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const files = ['pom.xml', ...walk(join(PEER_DIR, 'src')).map((f) => relative(PEER_DIR, f))].sort();
  for (const file of files)
    hash
      .update(`${file}\u0000`)
      .update(readFileSync(join(PEER_DIR, file)))
      .update('\u0000');
  return hash.digest('hex').slice(0, 16);
}

/**
 * `<cache>/lib/kafka-streams-parser-<hash>`: the jar and `dependency:copy-dependencies` output,
 * built with `mvn -B -q -Dmaven.repo.local=<cache>/m2 package` in a scratch copy of the project
 * (nothing is written into the work tree) the first time, reused while the pom and sources are the same.
 */
export async function buildPeer(progress: (msg: string) => void): Promise<PeerBuild> {
  const java = findJava(17, 'the Kafka Streams peer');
  const hash = sourceHash();
  const dir = join(cacheDir(), 'lib', `kafka-streams-parser-${hash}`);
  const classpath = `${join(dir, 'kafka-streams-parser.jar')}${delimiter}${join(dir, 'lib', '*')}`;
  if (existsSync(join(dir, '.complete'))) {
    progress(`kafka-streams-parser: built already (${dir})`);
    return { classpath, dir, hash, java };
  }
  const work = join(cacheDir(), 'lib', `.work-kafka-streams-parser-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  const ticker = setInterval(
    () => progress(`kafka-streams-parser: Maven still building … ${Math.round((Date.now() - started) / 1000)}s`),
    10_000,
  );
  try {
    cpSync(join(PEER_DIR, 'pom.xml'), join(work, 'pom.xml'));
    cpSync(join(PEER_DIR, 'src'), join(work, 'src'), { recursive: true });
    progress(
      `kafka-streams-parser: building with Maven (${java.bin}; dependencies from Maven Central into ${join(cacheDir(), 'm2')} on the first build)`,
    );
    // JAVA_HOME: Maven compiles with the JDK the stack runs Kafka with
    const javaHome = resolve(java.bin, '..', '..');
    const previous = process.env.JAVA_HOME;
    process.env.JAVA_HOME = javaHome;
    try {
      await run(findMaven('to build the Kafka Streams peer (bench/peers/kafka-streams-parser)'), [
        '-B',
        '-q',
        '-Dstyle.color=never',
        `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`,
        '-f',
        join(work, 'pom.xml'),
        'package',
      ]);
    } finally {
      if (previous === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = previous;
    }
    const out = join(work, 'out');
    mkdirSync(out);
    renameSync(join(work, 'target', 'kafka-streams-parser-1.jar'), join(out, 'kafka-streams-parser.jar'));
    renameSync(join(work, 'target', 'lib'), join(out, 'lib'));
    writeFileSync(join(out, '.complete'), `${hash}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    progress(`kafka-streams-parser: built in ${Math.round((Date.now() - started) / 1000)}s (${dir})`);
    return { classpath, dir, hash, java };
  } finally {
    clearInterval(ticker);
    rmSync(work, { recursive: true, force: true });
  }
}

/** What the peer is told once: the cluster, the schema (and the id the registry gave it), the log types. */
export interface PeerConfig {
  bootstrapServers: string;
  schemaId: number;
  stateDir: string;
  logTypes: Topology['logTypes'];
  entityKeys: Topology['parser']['entityKeys'];
}

export interface PeerRun {
  applicationId: string;
  inputTopics: string[];
  outputTopic: string;
  dlqTopic: string;
  expected: number;
  logTypes: string[];
  /** the schema id to write, when not the one of the peer's configuration */
  schemaId?: number;
  /** StreamsConfig settings on top of the app's (processing.guarantee=exactly_once_v2, state.dir) */
  streams: Record<string, string>;
}

export interface PeerMeasurement {
  eventsPerSecond: number;
  /** ms between commits, as the parser rows report */
  p50: number;
  p99: number;
  /** the JVM's CPU from its first commit to its last (process CPU time, GC and JIT included) */
  cpuSeconds: number;
  cpuMicrosPerEvent: number;
  /** VmHWM of the JVM so far */
  peakRssMb: number;
  /** records committed (all of the run's) */
  records: number;
  commits: number;
  /** from the run command to the first commit: group join, the first fetch */
  firstCommitMs: number;
}

export interface Peer {
  pid: number;
  run(spec: PeerRun): Promise<PeerMeasurement>;
  stop(): Promise<void>;
}

/** Starts the peer's JVM (one per format), its output in `<logDir>/kafka-streams-parser.log`. */
export async function startPeer(build: PeerBuild, config: PeerConfig, logDir: string, progress: (msg: string) => void): Promise<Peer> {
  mkdirSync(logDir, { recursive: true });
  const configFile = join(logDir, 'kafka-streams-parser.json');
  writeFileSync(configFile, JSON.stringify({ ...config, schemaFile: join(SCHEMAS_DIR, SCHEMA_FILES.normalized) }, null, 2));
  const logPath = join(logDir, 'kafka-streams-parser.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  const started = Date.now();
  progress('kafka-streams-parser: starting the JVM');
  const child: ChildProcessWithoutNullStreams = spawn(
    build.java.bin,
    [...PEER_JVM_OPTIONS, '-cp', build.classpath, MAIN_CLASS, configFile],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error(`could not start ${build.java.bin}`);
  const pid = child.pid;
  child.stderr.pipe(log);
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  let exited: string | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    lines.push(line);
    waiter?.();
  });
  child.on('exit', (code, signal) => {
    exited = `the Kafka Streams peer exited (${signal ?? `code ${code}`}); see ${logPath}`;
    waiter?.();
  });
  /** The next line of the peer's output, or an error when it exits or says nothing for `timeoutMs`. */
  const next = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = lines.shift();
      if (line !== undefined) return line;
      if (exited) throw new Error(exited);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the Kafka Streams peer said nothing for ${timeoutMs} ms; see ${logPath}`);
      await new Promise<void>((done) => {
        const timer = setTimeout(done, left);
        waiter = () => {
          clearTimeout(timer);
          done();
        };
      });
      waiter = undefined;
    }
  };
  const first = await next(60_000);
  if (first !== 'ready') throw new Error(`the Kafka Streams peer started with "${first}"; see ${logPath}`);
  progress(`kafka-streams-parser: JVM ready in ${Date.now() - started} ms (pid ${pid})`);

  return {
    pid,
    async run(spec) {
      const sent = performance.now();
      child.stdin.write(`run ${JSON.stringify(spec)}\n`);
      const commits: Array<{ nanos: bigint; n: number; cpuNanos: bigint }> = [];
      let done = false;
      let firstCommitMs = 0;
      while (!done) {
        const line = await next(120_000);
        const [word, ...rest] = line.split(' ');
        if (word === 'commit') {
          if (commits.length === 0) firstCommitMs = performance.now() - sent;
          commits.push({ nanos: BigInt(rest[0] as string), n: Number(rest[1]), cpuNanos: BigInt(rest[2] as string) });
        } else if (word === 'done') done = true;
        else if (word === 'error') throw new Error(`the Kafka Streams peer failed: ${rest.slice(1).join(' ')}`);
      }
      const peakRssMb = peakRssOf(pid) / 1_048_576;
      for (;;) {
        const line = await next(90_000);
        if (line.startsWith('closed ')) break;
      }
      const first = commits[0];
      const last = commits[commits.length - 1];
      if (!first || !last || commits.length < 2)
        throw new Error(`the Kafka Streams peer committed ${commits.length} transaction(s): too few to measure a rate`);
      const records = commits.reduce((sum, c) => sum + c.n, 0);
      const windowRecords = records - first.n;
      const seconds = Number(last.nanos - first.nanos) / 1e9;
      const cpuSeconds = Number(last.cpuNanos - first.cpuNanos) / 1e9;
      const gaps = commits
        .slice(1)
        .map((c, i) => Number(c.nanos - (commits[i] as { nanos: bigint }).nanos) / 1e6)
        .sort((a, b) => a - b);
      return {
        eventsPerSecond: windowRecords / seconds,
        p50: percentile(gaps, 50),
        p99: percentile(gaps, 99),
        cpuSeconds,
        cpuMicrosPerEvent: (cpuSeconds * 1e6) / windowRecords,
        peakRssMb,
        records,
        commits: commits.length,
        firstCommitMs,
      };
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      child.stdin.write('quit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(timer);
      log.end();
    },
  };
}

/** Where the peer writes: topics of its own beside the parser's. */
export function peerTopicsOf(topology: Topology): { normalized: string; dlq: string } {
  const names = topicNames(topology);
  return { normalized: `${names.normalized}.kstreams`, dlq: `${names.dlq('parser')}.kstreams` };
}

/**
 * The peer built and started for a topology: its output topics created, the schema id the registry
 * gives the normalized subject (the peer writes it into every value, as the parser does), every log
 * type it has a format for, its state and log under `<home>/kafka-streams-parser`.
 */
export async function startPeerFor(kafka: Kafka, topology: Topology, home: string, progress: (msg: string) => void): Promise<Peer> {
  const build = await buildPeer(progress);
  const topics = peerTopicsOf(topology);
  const { partitions, replicationFactor } = topology.topics;
  await ensureTopics(kafka, [
    { topic: topics.normalized, numPartitions: partitions, replicationFactor },
    { topic: topics.dlq, numPartitions: partitions, replicationFactor },
  ]);
  const schemaId = await new EventCodec<NormalizedEvent>(
    createRegistry(topology.schemaRegistry),
    topicNames(topology).normalized,
    'normalized',
  ).register();
  return startPeer(
    build,
    {
      bootstrapServers: topology.kafka.brokers.join(','),
      schemaId,
      stateDir: join(home, 'kafka-streams-parser', 'state'),
      logTypes: Object.fromEntries(
        Object.entries(topology.logTypes).filter(([, config]) => PEER_FORMATS.has(config.format)),
      ) as Topology['logTypes'],
      entityKeys: topology.parser.entityKeys,
    },
    join(home, 'kafka-streams-parser'),
    progress,
  );
}
