import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The parts of a V8 .cpuprofile (`node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Frame {
  name: string;
  /** where: a project file, a package, or a V8/Node.js category */
  where: string;
  selfShare: number;
}

export interface ProfileSummary {
  /** sampled wall time of the main thread, seconds */
  sampledSeconds: number;
  /** share of the samples in which the main thread was busy (not `(idle)`) */
  busyShare: number;
  topFrames: Frame[];
  /** busy samples by where they ran: project folder, package, GC, native */
  byArea: { area: string; share: number }[];
}

/** Self time per function and per area of one CPU profile, as shares of the busy (non-idle) samples. */
export function summariseProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const frames = new Map<string, Frame & { micros: number }>();
  const areas = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const [id, micros] of selfMicros) {
    total += micros;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += micros;
    const where = whereOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    const key = `${name}@${where}`;
    const entry = frames.get(key) ?? { name, where, selfShare: 0, micros: 0 };
    entry.micros += micros;
    frames.set(key, entry);
    const area = areaOf(where);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  }
  const share = (m: number) => (busy > 0 ? m / busy : 0);
  return {
    sampledSeconds: total / 1e6,
    busyShare: total > 0 ? busy / total : 0,
    topFrames: [...frames.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map(({ name, where, micros }) => ({ name, where, selfShare: share(micros) })),
    byArea: [...areas.entries()].map(([area, micros]) => ({ area, share: share(micros) })).sort((a, b) => b.share - a.share),
  };
}

/** The one .cpuprofile a process wrote into its own folder. */
export function profileIn(dir: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: the process did not exit cleanly`);
  return join(dir, file);
}

function whereOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (pkg) return `${pkg[1]}/${pkg[2]}`;
  if (path.startsWith('node:')) return path;
  return relative(process.cwd(), path);
}

function areaOf(where: string): string {
  if (where.startsWith('(')) return where;
  if (where.startsWith('node:')) return 'node: internals';
  if (where.startsWith('dist/')) return where.split('/').slice(0, 3).join('/');
  const pkg = /^((?:@[^/]+\/)?[^/]+)\//.exec(where);
  return pkg ? (pkg[1] as string) : where;
}
