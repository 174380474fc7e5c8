import type { EmulatorStats } from '../dev/emulator-stats.js';
import type { PartitionLag } from '../kafka/admin.js';
import type { S3SourceStats } from '../stages/s3-source/s3-source.js';

export interface DemoSummary {
  objects: number;
  source: S3SourceStats | undefined;
  stageCounts: Record<string, number>;
  expected: { valid: number; malformed: number };
  before: OutputSnapshot;
  after: OutputSnapshot;
  lag: Array<{ group: string; rows: PartitionLag[] }>;
  wallMs: number;
  /** tables that hold incidents, not events: outside the events' total */
  incidentTables: ReadonlySet<string>;
}

/** What the run's outputs held at one moment: DLQ record counts per topic and the emulator's tables. */
export interface OutputSnapshot {
  dlq: Record<string, number>;
  emulator: EmulatorStats;
}

export function printDemoSummary(s: DemoSummary): void {
  const dlq = Object.entries(s.after.dlq).map(([t, n]) => [t, n - (s.before.dlq[t] ?? 0)] as const);
  const tables = Object.entries(s.after.emulator.byTable).map(([t, n]) => [t, n - (s.before.emulator.byTable[t] ?? 0)] as const);
  const accepted = tables.filter(([t]) => !s.incidentTables.has(t)).reduce((a, [, n]) => a + n, 0);
  const out = process.stdout;
  out.write('\n== siem-stream demo summary ==\n');
  out.write(`objects written / completed   ${s.objects} / ${s.source?.objectsCompleted ?? 0}\n`);
  out.write(`raw records read from S3      ${s.source?.recordsEmitted ?? 0}  (expected ${s.expected.valid + s.expected.malformed})\n`);
  const stages = Object.entries(s.stageCounts).filter(([stage]) => stage !== 's3-source');
  // the count column starts after the longest label, and never before the header lines' column
  const width = Math.max(29, ...stages.map(([st]) => `records through ${st}`.length), ...dlq.map(([t]) => `DLQ ${t}`.length));
  for (const [stage, count] of stages) out.write(`${`records through ${stage}`.padEnd(width)} ${count}\n`);
  for (const [topic, count] of dlq)
    out.write(
      `${`DLQ ${topic}`.padEnd(width)} ${count}${topic.endsWith('.parser') ? `  (malformed records written: ${s.expected.malformed})` : ''}\n`,
    );
  out.write('accepted by Logs Ingestion emulator, per table:\n');
  for (const [table, count] of tables) out.write(`  ${table.padEnd(28)} ${count}\n`);
  out.write(`  ${'events total'.padEnd(28)} ${accepted}  (expected ${s.expected.valid})\n`);
  out.write('consumer lag (records; transaction markers count as 1 per partition):\n');
  for (const { group, rows } of s.lag) out.write(`  ${group.padEnd(28)} ${rows.reduce((a, r) => a + r.lag, 0n)}\n`);
  out.write(`wall time ${(s.wallMs / 1000).toFixed(1)}s\n`);
}
