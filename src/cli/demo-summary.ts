import type { Kafka } from 'kafkajs';
import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import type { EmulatorStats } from '../dev/emulator-stats.js';
import type { PartitionLag } from '../kafka/admin.js';
import { readAll } from '../kafka/read-topic.js';
import type { S3SourceStats } from '../stages/s3-source/s3-source.js';

export interface DemoSummary {
  objects: number;
  source: S3SourceStats | undefined;
  stageCounts: Record<string, number>;
  expected: { valid: number; malformed: number };
  kafka: Kafka;
  topology: Topology;
  emulator: EmulatorStats;
  lag: Array<{ group: string; rows: PartitionLag[] }>;
  wallMs: number;
}

export async function printDemoSummary(s: DemoSummary): Promise<void> {
  const names = topicNames(s.topology);
  const dlqTopics = [names.dlq('parser'), names.dlq('enricher'), ...s.topology.sinks.map((k) => names.dlq(k.name))];
  const dlq = await Promise.all(dlqTopics.map(async (t) => [t, await countRecords(s.kafka, t)] as const));
  const out = process.stdout;
  out.write('\n== siem-stream demo summary ==\n');
  out.write(`objects written / completed   ${s.objects} / ${s.source?.objectsCompleted ?? 0}\n`);
  out.write(`raw records read from S3      ${s.source?.recordsEmitted ?? 0}  (expected ${s.expected.valid + s.expected.malformed})\n`);
  for (const [stage, count] of Object.entries(s.stageCounts))
    if (stage !== 's3-source') out.write(`records through ${stage.padEnd(13)} ${count}\n`);
  for (const [topic, count] of dlq)
    out.write(
      `DLQ ${topic.padEnd(25)} ${count}${topic.endsWith('.parser') ? `  (malformed records written: ${s.expected.malformed})` : ''}\n`,
    );
  out.write('accepted by Logs Ingestion emulator, per table:\n');
  for (const [table, count] of Object.entries(s.emulator.byTable)) out.write(`  ${table.padEnd(28)} ${count}\n`);
  out.write(`  ${'total'.padEnd(28)} ${s.emulator.totalRecords}  (expected ${s.expected.valid})\n`);
  out.write('consumer lag (records; transaction markers count as 1 per partition):\n');
  for (const { group, rows } of s.lag) out.write(`  ${group.padEnd(28)} ${rows.reduce((a, r) => a + r.lag, 0n)}\n`);
  out.write(`wall time ${(s.wallMs / 1000).toFixed(1)}s\n`);
}

/** Records (not markers) in a topic, read_committed: counted by consuming it from the start. */
async function countRecords(kafka: Kafka, topic: string): Promise<number> {
  return (await readAll(kafka, topic)).length;
}
