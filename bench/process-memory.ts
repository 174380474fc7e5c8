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

/**
 * Peak RSS of processes that may exit before the measurement ends (VmHWM is gone with the
 * process): read every `everyMs` while they run, the last reading of each kept. A process's growth
 * in its last `everyMs` can be missed.
 */
export function watchPeakRss(everyMs = 250): {
  watch: (label: string, pid: number | undefined) => void;
  stop: () => Record<string, number>;
} {
  const pids = new Map<string, number>();
  const peaks: Record<string, number> = {};
  const sample = () => {
    for (const [label, pid] of pids) {
      try {
        peaks[label] = Math.max(peaks[label] ?? 0, peakRssOf(pid));
      } catch {
        // gone (or a zombie without memory): its last reading stands
      }
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    watch: (label, pid) => {
      if (pid === undefined) throw new Error(`${label} has no pid: it did not start`);
      pids.set(label, pid);
      sample();
    },
    stop: () => {
      sample();
      clearInterval(timer);
      return peaks;
    },
  };
}
