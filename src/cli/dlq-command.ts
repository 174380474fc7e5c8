import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadTopology } from '../config/load.js';
import { SiemStreamError } from '../errors.js';
import { createKafka } from '../kafka/client-factory.js';
import { sendLogsToStderr } from '../observability/logger.js';
import { byPosition, DlqCounter, type DlqEntry, type DlqFilter, readDlq, scanDlq } from '../ops/dlq-records.js';
import { REDRIVE_HEADER, redrive } from '../ops/dlq-redrive.js';
import { loadRedriven, redriveLogTopic } from '../ops/redrive-log.js';
import { createProgress } from './progress.js';

interface SelectOptions {
  stage?: string[];
  errorCode?: string[];
  record?: string[];
  limit?: number;
  json?: boolean;
}

const filterOf = (o: SelectOptions): DlqFilter => ({ stages: o.stage, errorCodes: o.errorCode, ids: o.record });

/** `siem-stream dlq inspect`: counts by stage and error, then the records with their headers. */
export async function dlqInspectCommand(topologyPath: string, o: SelectOptions): Promise<void> {
  sendLogsToStderr(); // stdout is the result
  const topology = loadTopology(topologyPath);
  const kafka = createKafka(topology.kafka, 'dlq');
  const counter = new DlqCounter();
  const limit = o.limit ?? 20;
  const shown: DlqEntry[] = [];
  // one pass, bounded memory: count everything, keep the first `limit` records
  await scanDlq(kafka, topology, filterOf(o), (e) => {
    counter.add(e);
    if (shown.length < limit) shown.push(e);
    return true;
  });
  shown.sort(byPosition);
  const redriven = await loadRedriven(kafka, redriveLogTopic(topology));
  const counts = counter.rows();
  if (o.json) {
    const records = shown.map((e) => ({ ...printable(e), redriven: redriven.get(e.id) ?? null }));
    process.stdout.write(`${JSON.stringify({ total: counter.total, counts, records }, null, 2)}\n`);
    return;
  }
  const out: string[] = [`${counter.total} dead-letter record(s)`, ''];
  const w = [5, 10, 11].map((min, i) => Math.max(min, ...counts.map((c) => [c.stage, c.errorCode, c.errorClass][i]?.length ?? 0)));
  out.push(['STAGE'.padEnd(w[0] ?? 0), 'ERROR-CODE'.padEnd(w[1] ?? 0), 'ERROR-CLASS'.padEnd(w[2] ?? 0), 'COUNT'].join('  '));
  for (const c of counts)
    out.push([c.stage.padEnd(w[0] ?? 0), c.errorCode.padEnd(w[1] ?? 0), c.errorClass.padEnd(w[2] ?? 0), c.count].join('  '));
  out.push('', `first ${shown.length} record(s) (--limit to see more, --record <id> to pick):`);
  for (const e of shown) {
    const done = redriven.get(e.id);
    out.push('', `${e.id}${done ? `  [redriven to ${done.to} at ${done.at}]` : ''}`);
    out.push(
      `  from ${e.originalTopic}/${e.originalPartition}/${e.originalOffset} by ${e.stage} at ${e.failedAt}: ${e.errorCode} ${e.errorMessage}`,
    );
    if (e.correlationId) out.push(`  correlation id: ${e.correlationId}`);
    for (const [k, v] of Object.entries(e.headers)) out.push(`  ${k}: ${v}`);
    out.push(`  key: ${e.key?.toString() ?? '(null)'}`, `  value: ${preview(e.value)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** `siem-stream dlq redrive`: sends the chosen records back to their original topics, each once. */
export async function dlqRedriveCommand(
  topologyPath: string,
  o: SelectOptions & { all?: boolean; dryRun?: boolean; batch?: number },
): Promise<void> {
  if (!o.all && !o.stage && !o.errorCode && !o.record)
    throw new SiemStreamError('CONFIG_INVALID', 'choose records with --stage, --error-code or --record, or redrive everything with --all');
  sendLogsToStderr(); // stdout is the result
  const topology = loadTopology(topologyPath);
  const kafka = createKafka(topology.kafka, 'dlq');
  const chosen = await readDlq(kafka, topology, filterOf(o), o.limit);
  const missing = (o.record ?? []).filter((id) => !chosen.some((e) => e.id === id));
  if (missing.length > 0)
    throw new SiemStreamError(
      'CONFIG_INVALID',
      `no such dead-letter record(s): ${missing.join(', ')} (ids are dlqTopic/partition/offset, see dlq inspect)`,
    );
  const progress = createProgress();
  progress.note(`${chosen.length} record(s) chosen${o.dryRun ? ' (dry run)' : ''}`);
  const result = await redrive(kafka, topology, chosen, {
    dryRun: o.dryRun === true,
    ...(o.batch ? { chunk: o.batch } : {}),
    onProgress: (p) => progress.update({ redriven: p.redriven, alreadyRedriven: p.alreadyRedriven, of: p.total }),
  });
  progress.done();
  const verb = o.dryRun ? 'would redrive' : 'redriven';
  const targets = [...new Set(chosen.map((e) => e.originalTopic))].join(', ');
  process.stdout.write(
    `${verb}: ${o.dryRun ? result.total - result.alreadyRedriven : result.redriven}; already redriven earlier (skipped): ${result.alreadyRedriven}; to: ${targets || '-'}\n`,
  );
}

function printable(e: DlqEntry) {
  return { ...e, key: e.key?.toString() ?? null, value: preview(e.value), redriveCount: Number(e.headers[REDRIVE_HEADER.count] ?? 0) };
}

/** Text values as they are; binary (Avro) as base64, both cut at 500 characters. */
function preview(value: Buffer | null): string {
  if (value === null) return '(null)';
  const text = value.toString('utf8');
  const printableText = ![...text].some((ch) => {
    const code = ch.charCodeAt(0);
    return (code < 32 && ch !== '\n' && ch !== '\r' && ch !== '\t') || ch === '\ufffd';
  });
  const shown = printableText ? text : `base64:${value.toString('base64')}`;
  return shown.length > 500 ? `${shown.slice(0, 500)}…` : shown;
}

export function registerDlqCommand(program: Command): void {
  const positive = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
    return n;
  };
  const dlq = program.command('dlq').description('dead-letter topics: inspect and redrive');
  const select = (c: Command) =>
    c
      .argument('<topology>', 'topology YAML')
      .option('--stage <name...>', "only these stages' dead-letter topics (parser, enricher, sink names)")
      .option('--error-code <code...>', 'only records that failed with these codes (e.g. RECORD_UNPARSEABLE)')
      .option('--record <id...>', 'only these records, by id dlqTopic/partition/offset')
      .option('--limit <n>', 'at most this many records', positive);
  select(dlq.command('inspect').description('counts by stage and error, then records with their headers'))
    .option('--json', 'print JSON')
    .action((topology: string, o: SelectOptions) => dlqInspectCommand(topology, o));
  select(dlq.command('redrive').description('send chosen records back to their original topic, each once (recorded across runs)'))
    .option('--all', 'every dead-letter record of the chosen stages')
    .option('--dry-run', 'show what would be sent')
    .option('--batch <n>', 'records per transaction', positive, 200)
    .action((topology: string, o: SelectOptions & { all?: boolean; dryRun?: boolean; batch?: number }) => dlqRedriveCommand(topology, o));
}
