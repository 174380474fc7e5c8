import { mulberry32 } from '../../util/seeded-random.js';

/** Every fault the harness can inject (docs/reliability.md describes each). */
export const FAULT_KINDS = [
  'kill',
  'term',
  'broker',
  'latency',
  'reset',
  'partition',
  'commit-timeout',
  'sink-429',
  'sink-5xx',
  'sink-413',
  'sink-reset',
  'zombie',
  'rebalance-storm',
  'dlq-unwritable',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults aimed at one stage; the others hit the cluster, the network or the destination. */
const PER_STAGE: ReadonlySet<FaultKind> = new Set(['kill', 'term', 'zombie', 'rebalance-storm']);
/** Faults that hold the system in a degraded state for a while: never two of one kind at once. */
export const LASTING: ReadonlySet<FaultKind> = new Set(['broker', 'partition', 'zombie', 'rebalance-storm', 'dlq-unwritable', 'latency']);

export interface PlannedFault {
  atMs: number;
  kind: FaultKind;
  /** the stage a per-stage fault hits */
  stage?: string;
}

export interface FaultPlanOptions {
  seed: number;
  /** the window faults are spread over */
  windowMs: number;
  stages: string[];
  kinds: FaultKind[];
  /** SIGKILLs per stage */
  killsPerStage: number;
  /** how many of every other kind (per stage for per-stage kinds) */
  eachOther: number;
}

/**
 * When each fault happens: seeded, so a run can be repeated exactly. Faults fall in the middle
 * 90 % of the window; lasting faults of one kind are spaced so they never overlap.
 */
export function planFaults(options: FaultPlanOptions): PlannedFault[] {
  const random = mulberry32(options.seed);
  const start = options.windowMs * 0.05;
  const span = options.windowMs * 0.9;
  const plan: PlannedFault[] = [];
  for (const kind of options.kinds) {
    const targets = PER_STAGE.has(kind) ? options.stages : [undefined];
    for (const stage of targets) {
      const count = kind === 'kill' ? options.killsPerStage : options.eachOther;
      for (let i = 0; i < count; i++) {
        // lasting faults: one per equal slice, jittered inside it; instant ones anywhere
        const atMs = LASTING.has(kind) ? start + (span / count) * (i + 0.25 + random() * 0.5) : start + random() * span;
        plan.push({ atMs: Math.round(atMs), kind, ...(stage ? { stage } : {}) });
      }
    }
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

export function parseFaultKinds(list: string): FaultKind[] {
  if (list === 'all') return [...FAULT_KINDS];
  const kinds = list.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new Error(`--faults: unknown fault kind(s) ${unknown.join(', ')}; expected "all" or a list of ${FAULT_KINDS.join(', ')}`);
  return kinds as FaultKind[];
}
