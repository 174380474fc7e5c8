import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** User + system CPU seconds of a process so far (all its threads: librdkafka's and libuv's included), from /proc (Linux). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) throw new Error('the process has no pid: it did not start');
  return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

function cpuSecondsOfStat(stat: string): number {
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

/**
 * A process's CPU seconds by kind of thread, from /proc/<pid>/task: the Node.js main thread (the
 * JavaScript), librdkafka's threads (`rdk:*`), and the other threads — V8's helpers (GC, compiler)
 * and libuv's pool (zlib, crypto, fs) carry one name, so they are one figure; threads that ended are
 * the rest of the process's total.
 */
export function cpuByThreadOf(pid: number | undefined): Record<string, number> {
  if (pid === undefined) throw new Error('the process has no pid: it did not start');
  const byKind: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const seconds = cpuSecondsOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      const kind = tid === String(pid) ? 'main' : name.startsWith('rdk:') ? 'librdkafka' : 'V8 + libuv';
      byKind[kind] = (byKind[kind] ?? 0) + seconds;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  const ended = cpuSecondsOf(pid) - Object.values(byKind).reduce((a, b) => a + b, 0);
  if (ended > 0.005) byKind.ended = ended;
  return byKind;
}
