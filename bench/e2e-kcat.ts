import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../src/config/schema.js';
import { ensureDebianPackages, findExecutable } from '../src/dev/debian-packages.js';
import { exited } from '../tests/support/stage-process.js';
import {
  type BaselineRecord,
  type ChainClient,
  chainTopicNames,
  createChainTopics,
  type Delivery,
  deliverThroughChain,
  groupsReady,
} from './e2e-chain.js';
import { watchPeakRss } from './process-memory.js';

/**
 * The librdkafka peer chain of bench/e2e.ts, built from Debian's kcat: a `kcat -P` producer fed
 * the baseline records on its stdin, `hops` pipelines `kcat -C -G <group> … | kcat -P …` running at
 * once, and the chains' shared final consumer in the bench process. No transactions, offsets
 * auto-committed: the native counterpart of the plain Node.js chain, with no Node.js in the
 * path of a record until the final consumer.
 *
 * Records cross each pipe as <key> 0x1F <value> 0x1E (ASCII unit and record separators; kcat's
 * -K and -D), so keys and values may hold tabs, newlines and anything else but those two bytes:
 * `kcatInput` refuses records that hold them. kcat can set headers only as fixed `-H name=value`
 * arguments, not per record: every record of the chain carries the headers of the first record
 * (the same names and, but for the record number and object key, the same sizes as each record's
 * own), set again by every hop's producer because kcat cannot copy them from its input.
 */

/** ASCII unit separator between key and value, and record separator after each record */
export const KCAT_KEY_DELIMITER = '\x1f';
export const KCAT_RECORD_DELIMITER = '\x1e';
/** the same in kcat's own notation for -K and -D */
const KEY_DELIMITER_ARG = '\\x1f';
const RECORD_DELIMITER_ARG = '\\x1e';

/** The records as `kcat -P -K '\x1f' -D '\x1e'` reads them; throws on a key or value holding a delimiter. */
export function kcatInput(records: readonly Pick<BaselineRecord, 'key' | 'value'>[]): string {
  const parts: string[] = [];
  records.forEach(({ key, value }, i) => {
    for (const [what, text] of [
      ['key', key],
      ['value', value],
    ] as const) {
      if (text.includes(KCAT_KEY_DELIMITER) || text.includes(KCAT_RECORD_DELIMITER)) {
        throw new Error(`record ${i}: its ${what} holds kcat's delimiter 0x1F or 0x1E, which would split it`);
      }
    }
    parts.push(key, KCAT_KEY_DELIMITER, value, KCAT_RECORD_DELIMITER);
  });
  return parts.join('');
}

/** `-H name=value` for each header; kcat splits at the first `=`, so a name may not hold one. */
export function kcatHeaderArgs(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers).flatMap(([name, value]) => {
    if (name.includes('=')) throw new Error(`header ${JSON.stringify(name)}: kcat cannot set a header whose name holds '='`);
    return ['-H', `${name}=${value}`];
  });
}

/** One argument for sh, in single quotes. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

export interface KcatEndpoints {
  /** bootstrap brokers, host:port,… */
  brokers: string;
  headerArgs: string[];
}

/**
 * A producer as the chain runs it: keys murmur2-partitioned like the Node.js client's (and Java's)
 * partitioner, acks=all (librdkafka's default), no compression.
 */
export function kcatProducerArgs(e: KcatEndpoints, topic: string): string[] {
  return [
    '-P',
    '-q',
    '-b',
    e.brokers,
    '-t',
    topic,
    '-K',
    KEY_DELIMITER_ARG,
    '-D',
    RECORD_DELIMITER_ARG,
    '-X',
    'partitioner=murmur2_random',
    ...e.headerArgs,
  ];
}

export interface KcatHop {
  from: string;
  to: string;
  groupId: string;
  /** the consumer exits after this many records, which ends the hop */
  records: number;
}

/**
 * A consumer of `groupId` from the earliest offset, writing key and value with the chain's
 * delimiters, unbuffered (-u): a buffered stdout would hold the last records back until more came.
 */
export function kcatConsumerArgs(e: KcatEndpoints, hop: KcatHop): string[] {
  const group = ['-G', hop.groupId, '-X', 'auto.offset.reset=earliest', '-c', String(hop.records)];
  return ['-C', '-q', '-u', '-b', e.brokers, ...group, '-K', KEY_DELIMITER_ARG, '-D', RECORD_DELIMITER_ARG, hop.from];
}

/** The sh command line of one hop: `kcat -C … from | kcat -P … to`. */
export function kcatHopCommand(kcat: string, e: KcatEndpoints, hop: KcatHop): string {
  const command = (args: string[]) => [kcat, ...args].map(shellQuote).join(' ');
  return `${command(kcatConsumerArgs(e, hop))} | ${command(kcatProducerArgs(e, hop.to))}`;
}

/** kcat's and its librdkafka's versions from the text of `kcat -V`. */
export function kcatVersions(text: string): { kcat?: string; librdkafka?: string } {
  const kcat = /^Version (\S+)/m.exec(text)?.[1];
  const librdkafka = /librdkafka (\S+)/.exec(text)?.[1];
  return { ...(kcat === undefined ? {} : { kcat }), ...(librdkafka === undefined ? {} : { librdkafka }) };
}

/** The parent pid from the text of /proc/<pid>/stat (the command name in parentheses may hold spaces and parentheses). */
export function parentPid(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) && fields[1] !== '' ? ppid : undefined;
}

/** kcat from Debian's package: installed with apt-get when missing and we are root, otherwise an error saying what to install. */
export function ensureKcat(progress?: (message: string) => void): string {
  ensureDebianPackages(['kcat'], () => findExecutable('kcat') !== undefined, progress);
  return findExecutable('kcat') as string;
}

export interface KcatChainOptions {
  client: ChainClient;
  topology: Topology;
  /** topic names start with it: <prefix>0 … <prefix><hops> */
  prefix: string;
  records: BaselineRecord[];
  hops: number;
  progress: (message: string) => void;
}

export interface KcatChainResult extends Delivery {
  /** peak RSS (VmHWM, bytes) of every kcat process: producer, hop n consume, hop n produce */
  peakRss: Record<string, number>;
  /** per hop, its two kcat processes together (a Node.js hop is one process doing both) */
  hopPeakRss: number[];
  versions: { kcat?: string; librdkafka?: string };
}

/**
 * kcat's producer reads its input 128 bytes at a time and looks for the next delimiter only after
 * each read, so the last records of a pipe that stays open wait for more input forever. The chain
 * therefore ends as a pipeline does: the producer's stdin is closed after the last record, every
 * hop's consumer exits after `records.length` records (-c), which closes its producer's input.
 * Peak RSS is read every 50 ms while they run (`watchPeakRss`).
 */
export async function runKcatChain(options: KcatChainOptions): Promise<KcatChainResult> {
  const { client, topology, prefix, records, hops } = options;
  if (topology.kafka.ssl !== undefined || topology.kafka.sasl !== undefined) {
    throw new Error('the kcat chain speaks PLAINTEXT only; the bench stack has no TLS or SASL on its main listener');
  }
  const kcat = ensureKcat(options.progress);
  const input = kcatInput(records);
  const endpoints: KcatEndpoints = {
    brokers: topology.kafka.brokers.join(','),
    headerArgs: kcatHeaderArgs(records[0]?.headers ?? {}),
  };
  const topics = chainTopicNames(prefix, hops);
  await createChainTopics(client, topology, topics);
  const logDir = mkdtempSync(join(tmpdir(), 'siem-bench-e2e-kcat-'));
  const groupIds = topics.slice(0, hops).map((_, i) => `${prefix}hop-${i}`);
  const rss = watchPeakRss(50); // a kcat process of a short chain lives for seconds
  // each hop in a process group of its own, so that it stops as one
  const hopShells = topics.slice(0, hops).map((from, i) => {
    const log = openSync(join(logDir, `hop-${i}.log`), 'a');
    const command = kcatHopCommand(kcat, endpoints, {
      from,
      to: topics[i + 1] as string,
      groupId: groupIds[i] as string,
      records: records.length,
    });
    return spawn('sh', ['-c', command], { detached: true, stdio: ['ignore', log, log] });
  });
  const stopHops = () => {
    for (const shell of hopShells) signalGroup(shell, 'SIGTERM');
  };
  process.once('exit', stopHops); // an aborted bench leaves no kcat behind
  let producer: ChildProcess | undefined;
  try {
    await groupsReady(client, groupIds, hopShells, logDir);
    for (const [i, shell] of hopShells.entries()) {
      for (const { pid, role } of kcatChildren(shell.pid)) rss.watch(`hop ${i + 1} ${role}`, pid);
    }
    const delivery = await deliverThroughChain({
      client,
      topology,
      topic: topics[hops] as string,
      groupId: `${prefix}final`,
      expected: records.length,
      progress: options.progress,
      failed: () => {
        const failed = [producer, ...hopShells].find((c) => c !== undefined && (c.signalCode !== null || (c.exitCode ?? 0) !== 0));
        return failed === undefined ? undefined : `a kcat process ended with ${failed.signalCode ?? failed.exitCode}; see ${logDir}`;
      },
      send: () =>
        new Promise<void>((resolve, reject) => {
          const log = openSync(join(logDir, 'producer.log'), 'a');
          producer = spawn(kcat, kcatProducerArgs(endpoints, topics[0] as string), { stdio: ['pipe', log, log] });
          rss.watch('producer', producer.pid);
          producer.on('error', reject);
          producer.stdin?.on('error', reject);
          producer.stdin?.end(input, () => resolve());
        }),
    });
    const { producer: producerRss = 0, ...hopRss } = rss.stop();
    const peakRss: Record<string, number> = { producer: producerRss, ...hopRss };
    const hopPeakRss = hopShells.map((_, i) => (peakRss[`hop ${i + 1} consume`] ?? 0) + (peakRss[`hop ${i + 1} produce`] ?? 0));
    return { ...delivery, peakRss, hopPeakRss, versions: kcatVersions(execFileSync(kcat, ['-V'], { encoding: 'utf8' })) };
  } finally {
    rss.stop();
    producer?.stdin?.destroy();
    stopHops();
    process.off('exit', stopHops);
    await Promise.all([...hopShells.map((shell) => stopped(shell, true)), producer && stopped(producer, false)]);
  }
}

/** The kcat processes a hop's sh started (or the sh itself, had it exec'd kcat), and which end of the pipe each is. */
function kcatChildren(shellPid: number | undefined): { pid: number; role: 'consume' | 'produce' }[] {
  if (shellPid === undefined) throw new Error('a kcat hop did not start');
  const pids = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid === shellPid || parentPid(readOr(`/proc/${pid}/stat`)) === shellPid);
  const found = pids.flatMap((pid) => {
    const argv = readOr(`/proc/${pid}/cmdline`).split('\0');
    if (!argv[0]?.endsWith('kcat')) return [];
    return [{ pid, role: argv.includes('-C') ? ('consume' as const) : ('produce' as const) }];
  });
  if (found.length !== 2) throw new Error(`expected a kcat consumer and producer under sh ${shellPid}, found ${found.length}`);
  return found.sort((a, b) => a.role.localeCompare(b.role));
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the process has gone
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group has gone
  }
}

/** Waits for the process to exit; after 15 s kills it (with its process group when it leads one). */
async function stopped(child: ChildProcess, leadsGroup: boolean): Promise<void> {
  const timer = setTimeout(() => (leadsGroup ? signalGroup(child, 'SIGKILL') : child.kill('SIGKILL')), 15_000);
  await exited(child);
  clearTimeout(timer);
}
