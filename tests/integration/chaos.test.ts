import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../src/dev/chaos/fault-plan.js';
import { formatReport } from '../../src/dev/chaos/report.js';
import { runChaos } from '../../src/dev/chaos/run-chaos.js';

const offset = Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);
const STAGES = ['s3-source', 'parser', 'enricher', 'sentinel'];

/**
 * The short form of `npm run chaos` (the long run is in docs/reliability.md): every fault kind at
 * least once, on a 3-broker stack of its own, then every record counted in every place.
 */
describe('chaos: the whole pipeline under every kind of fault', () => {
  it('loses nothing, duplicates nothing in Kafka, and every destination duplicate is an EventId redelivery', async () => {
    const report = await runChaos({
      records: 12_000,
      recordsPerObject: 1_500,
      malformedEvery: 97,
      rate: 300,
      faults: [...FAULT_KINDS],
      killsPerStage: 2,
      eachOther: 1,
      instancesPerStage: 2,
      seed: 11,
      home: '.stack-chaos-test',
      portBase: 31_000 + offset, // below the ephemeral port range, where client sockets could hold a port
      keepStack: false,
      drainTimeoutMs: 300_000,
      progress: (m) => process.stderr.write(`[chaos] ${m}\n`),
    });
    process.stderr.write(formatReport(report));

    expect(report.verdict.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.duplicatedInKafka).toBe(0);
    expect(report.destinationDuplicatesWithNewEventId).toBe(0);
    expect(report.hangingTransactions).toEqual([]);
    expect(report.partitionsChecked).toBeGreaterThan(50);
    expect(Object.values(report.lagAfterDrain).every((lag) => lag === 0)).toBe(true);
    const byPlace = Object.fromEntries(report.rows.map((r) => [r.place, r]));
    expect(byPlace['Sentinel (emulator)']?.distinct).toBe(byPlace.normalized?.expected);
    expect(byPlace['parser DLQ']?.distinct).toBe(byPlace['parser DLQ']?.expected);
    expect(Object.values(report.dlqByClass).reduce((a, b) => a + b, 0)).toBe(byPlace['parser DLQ']?.expected);
    // every fault kind really happened, per stage where it aims at one
    for (const kind of FAULT_KINDS) {
      if (['kill', 'term', 'zombie', 'rebalance-storm'].includes(kind)) {
        for (const stage of STAGES)
          expect(report.faultsInjected[`${kind} ${stage}`], `${kind} ${stage}`).toBeGreaterThanOrEqual(kind === 'kill' ? 2 : 1);
      } else expect(report.faultsInjected[kind], kind).toBeGreaterThanOrEqual(1);
    }
    expect(report.exitsByStage.parser?.SIGKILL).toBeGreaterThanOrEqual(2);
    // the destination really refused: 429, 5xx and 413 answers were seen and retried through
    expect(Object.keys(report.emulatorRejections)).toEqual(expect.arrayContaining(['429', '503', '413']));
  }, 900_000); // a run is about 3–6 minutes; the drain alone may wait up to its 300 s bound
});
