import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, LASTING, parseFaultKinds, planFaults } from '../../../src/dev/chaos/fault-plan.js';

const STAGES = ['s3-source', 'parser', 'enricher', 'sentinel'];
const options = { seed: 3, windowMs: 600_000, stages: STAGES, kinds: [...FAULT_KINDS], killsPerStage: 20, eachOther: 3 };

describe('planFaults', () => {
  it('plans the asked number of each fault, per stage where the fault aims at one', () => {
    const plan = planFaults(options);
    for (const stage of STAGES) expect(plan.filter((f) => f.kind === 'kill' && f.stage === stage)).toHaveLength(20);
    for (const stage of STAGES) expect(plan.filter((f) => f.kind === 'zombie' && f.stage === stage)).toHaveLength(3);
    expect(plan.filter((f) => f.kind === 'broker')).toHaveLength(3);
    expect(plan.filter((f) => f.kind === 'broker' && f.stage !== undefined)).toHaveLength(0);
  });

  it('is the same for the same seed, in time order inside the window', () => {
    const plan = planFaults(options);
    expect(planFaults(options)).toEqual(plan);
    expect(planFaults({ ...options, seed: 4 })).not.toEqual(plan);
    expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
    expect(plan.every((f) => f.atMs >= 30_000 && f.atMs <= 570_000)).toBe(true);
  });

  it('spaces lasting faults of one kind into slices of their own', () => {
    const brokers = planFaults(options).filter((f) => f.kind === 'broker');
    expect(LASTING.has('broker')).toBe(true);
    const slice = (600_000 * 0.9) / 3;
    brokers.forEach((f, i) => {
      expect(f.atMs).toBeGreaterThanOrEqual(30_000 + slice * i);
      expect(f.atMs).toBeLessThan(30_000 + slice * (i + 1));
    });
  });
});

describe('parseFaultKinds', () => {
  it('takes "all" or a list, and names what it does not know', () => {
    expect(parseFaultKinds('all')).toEqual([...FAULT_KINDS]);
    expect(parseFaultKinds('kill, broker')).toEqual(['kill', 'broker']);
    expect(() => parseFaultKinds('kill,meteor')).toThrow(/unknown fault kind\(s\) meteor; expected "all" or a list of kill, term/);
  });
});
