import { readFileSync } from 'node:fs';

/** Peak resident set size (VmHWM) in bytes from the text of /proc/<pid>/status; undefined if absent. */
export function vmHwmBytes(status: string): number | undefined {
  const kib = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

/** A running process's peak RSS so far, from /proc (Linux); read it before the process exits. */
export function peakRssOf(pid: number | undefined): number {
  if (pid === undefined) throw new Error('the process has no pid: it did not start');
  const bytes = vmHwmBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (bytes === undefined) throw new Error(`/proc/${pid}/status has no VmHWM line`);
  return bytes;
}
