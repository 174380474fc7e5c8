import type { StableOffsets } from '../../kafka/end-offsets.js';
import type { InjectedFault } from './fault-actions.js';
import type { FaultKind, PlannedFault } from './fault-plan.js';
import type { ExitRecord } from './stage-supervisor.js';
import { absent, type Corpus, type DestinationCounts, overlap, type PositionCounts } from './tally.js';

export interface ReportInput {
  runId: string;
  options: { records: number; recordsPerObject: number; seed: number; instancesPerStage: number; rate: number; faults: FaultKind[] };
  corpus: Corpus;
  plan: PlannedFault[];
  injected: InjectedFault[];
  failures: string[];
  exits: Array<{ stage: string; exits: ExitRecord[] }>;
  counts: {
    raw: PositionCounts;
    parserDlq: PositionCounts;
    normalized: PositionCounts;
    enricherDlq: PositionCounts;
    enriched: PositionCounts;
    sinkDlq: PositionCounts;
    destination: DestinationCounts;
  };
  dlqByClass: Map<string, number>;
  offsets: StableOffsets[];
  lag: Array<{ stage: string; lag: bigint }>;
  emulatorRejections: Record<string, number>;
  faultWindowMs: number;
  wallMs: number;
  runDir: string;
}

export interface PlaceRow {
  place: string;
  records: number;
  distinct: number;
  duplicated: number;
  expected: number;
}

export interface ChaosReport {
  runId: string;
  recordsIn: number;
  rows: PlaceRow[];
  /** records of the corpus that reached neither the destination nor a DLQ */
  lost: number;
  /** extra copies in Kafka topics (read_committed): must be 0 */
  duplicatedInKafka: number;
  /** extra copies at the destination, and how many of them carried a new EventId (must be 0) */
  destinationDuplicates: number;
  destinationDuplicatesWithNewEventId: number;
  dlqByClass: Record<string, number>;
  /** partitions whose last stable offset is behind the high watermark (a hanging transaction) */
  hangingTransactions: Array<{ topic: string; partition: number; lso: string; hw: string }>;
  partitionsChecked: number;
  lagAfterDrain: Record<string, number>;
  faultsInjected: Record<string, number>;
  faultsPlanned: number;
  /** every fault as it happened: when (ms after the faults began), where, what */
  timeline: InjectedFault[];
  faultFailures: string[];
  exitsByStage: Record<string, Record<string, number>>;
  emulatorRejections: Record<string, number>;
  faultWindowMs: number;
  wallMs: number;
  runDir: string;
  /** every promise the run makes, held or not */
  verdict: { ok: boolean; problems: string[] };
}

const row = (place: string, c: PositionCounts, expected: number): PlaceRow => ({
  place,
  records: c.total,
  distinct: c.distinct,
  duplicated: c.duplicates,
  expected,
});

export function buildReport(input: ReportInput): ChaosReport {
  const { counts, corpus } = input;
  const recordsIn = corpus.valid + corpus.malformed;
  const rows = [
    row('raw topics', counts.raw, recordsIn),
    row('parser DLQ', counts.parserDlq, corpus.malformed),
    row('normalized', counts.normalized, corpus.valid),
    row('enricher DLQ', counts.enricherDlq, 0),
    row('enriched', counts.enriched, corpus.valid),
    row('sentinel DLQ', counts.sinkDlq, 0),
    row('Sentinel (emulator)', counts.destination, corpus.valid),
  ];
  // a record is delivered when it is at the destination or parked in some DLQ
  const lost = absent(counts.destination, counts.parserDlq, counts.enricherDlq, counts.sinkDlq);
  const duplicatedInKafka =
    counts.raw.duplicates +
    counts.parserDlq.duplicates +
    counts.normalized.duplicates +
    counts.enricherDlq.duplicates +
    counts.enriched.duplicates +
    overlap(counts.normalized, counts.parserDlq);
  const hanging = input.offsets
    .filter((o) => o.lso !== o.hw)
    .map((o) => ({ topic: o.topic, partition: o.partition, lso: o.lso.toString(), hw: o.hw.toString() }));
  const faultsInjected: Record<string, number> = {};
  for (const f of input.injected) {
    const key =
      f.kind === 'kill' || f.kind === 'term' || f.kind === 'zombie' || f.kind === 'rebalance-storm'
        ? `${f.kind} ${f.target.replace(/-\d+$/, '')}`
        : f.kind;
    faultsInjected[key] = (faultsInjected[key] ?? 0) + 1;
  }
  const exitsByStage = Object.fromEntries(
    input.exits.map(({ stage, exits }) => {
      const byHow: Record<string, number> = {};
      for (const e of exits) {
        const how = e.signal ?? `exit ${e.code}`;
        byHow[how] = (byHow[how] ?? 0) + 1;
      }
      return [stage, byHow];
    }),
  );
  const lagAfterDrain = Object.fromEntries(input.lag.map((l) => [l.stage, Number(l.lag)]));
  const problems: string[] = [];
  if (lost !== 0) problems.push(`${lost} records lost`);
  if (duplicatedInKafka !== 0) problems.push(`${duplicatedInKafka} duplicates in Kafka`);
  if (counts.destination.duplicatesWithNewEventId !== 0)
    problems.push(`${counts.destination.duplicatesWithNewEventId} destination duplicates with a new EventId`);
  if (counts.normalized.distinct !== corpus.valid)
    problems.push(`normalized holds ${counts.normalized.distinct} of ${corpus.valid} valid records`);
  if (counts.parserDlq.distinct !== corpus.malformed)
    problems.push(`parser DLQ holds ${counts.parserDlq.distinct} of ${corpus.malformed} malformed records`);
  if (counts.destination.distinct !== corpus.valid)
    problems.push(`the destination holds ${counts.destination.distinct} of ${corpus.valid} valid records`);
  if (hanging.length > 0) problems.push(`${hanging.length} partitions with a hanging transaction (LSO < HW)`);
  for (const [stage, lag] of Object.entries(lagAfterDrain)) if (lag !== 0) problems.push(`${stage} lag ${lag} after drain`);
  for (const c of Object.values(counts)) if (c.foreign !== 0) problems.push(`${c.foreign} records not from the corpus`);
  if (input.failures.length > 0) problems.push(`${input.failures.length} faults could not be injected`);
  return {
    runId: input.runId,
    recordsIn,
    rows,
    lost,
    duplicatedInKafka,
    destinationDuplicates: counts.destination.duplicates,
    destinationDuplicatesWithNewEventId: counts.destination.duplicatesWithNewEventId,
    dlqByClass: Object.fromEntries(input.dlqByClass),
    hangingTransactions: hanging,
    partitionsChecked: input.offsets.length,
    lagAfterDrain,
    faultsInjected,
    faultsPlanned: input.plan.length,
    timeline: input.injected,
    faultFailures: input.failures,
    exitsByStage,
    emulatorRejections: input.emulatorRejections,
    faultWindowMs: input.faultWindowMs,
    wallMs: input.wallMs,
    runDir: input.runDir,
    verdict: { ok: problems.length === 0, problems },
  };
}

const n = (v: number) => v.toLocaleString('en-US');

/** The one table the harness prints (markdown, so it can be pasted into docs/reliability.md as is). */
export function formatReport(report: ChaosReport): string {
  const lines = [
    `### Chaos run ${report.runId}: ${report.verdict.ok ? 'every promise held' : 'FAILED'}`,
    '',
    '| where (read_committed) | records | distinct | duplicated | expected |',
    '|---|---:|---:|---:|---:|',
    `| records in (S3) | ${n(report.recordsIn)} | ${n(report.recordsIn)} | 0 | ${n(report.recordsIn)} |`,
    ...report.rows.map((r) => `| ${r.place} | ${n(r.records)} | ${n(r.distinct)} | ${n(r.duplicated)} | ${n(r.expected)} |`),
    '',
    `- **lost:** ${n(report.lost)}`,
    `- **duplicated in Kafka:** ${n(report.duplicatedInKafka)}`,
    `- **duplicated at the destination:** ${n(report.destinationDuplicates)}, of which with a new EventId: ${n(report.destinationDuplicatesWithNewEventId)}` +
      (report.destinationDuplicates > 0 && report.destinationDuplicatesWithNewEventId === 0
        ? ' (every duplicate is an EventId redelivery)'
        : ''),
    `- **DLQ by class:** ${
      Object.entries(report.dlqByClass)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(', ') || 'none'
    }`,
    `- **hanging transactions:** ${report.hangingTransactions.length} (LSO = HW checked on ${report.partitionsChecked} partitions)`,
    `- **lag after drain:** ${Object.entries(report.lagAfterDrain)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- **faults injected** (${Object.values(report.faultsInjected).reduce((a, b) => a + b, 0)} of ${report.faultsPlanned} planned): ${Object.entries(
      report.faultsInjected,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- **process exits by stage:** ${Object.entries(report.exitsByStage)
      .map(
        ([stage, hows]) =>
          `${stage} (${
            Object.entries(hows)
              .map(([h, c]) => `${h} ${c}`)
              .join(', ') || 'none'
          })`,
      )
      .join('; ')}`,
    `- **destination answers refused:** ${
      Object.entries(report.emulatorRejections)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    `- **wall time:** ${(report.wallMs / 1000).toFixed(0)} s (writing, faults and drain ${(report.faultWindowMs / 1000).toFixed(0)} s)`,
    ...(report.faultFailures.length > 0 ? [`- **faults that could not be injected:** ${report.faultFailures.join('; ')}`] : []),
    ...(report.verdict.ok ? [] : [`- **problems:** ${report.verdict.problems.join('; ')}`]),
  ];
  return `${lines.join('\n')}\n`;
}
