import { SiemStreamError } from '../../errors.js';
import { schemaGuardFindings } from '../runtime/sink-metrics.js';
import type { SinkContext } from '../sink-module.js';
import { type DcrColumn, type DcrColumnType, toRow } from './columns.js';
import type { SentinelSinkConfig } from './config.js';
import { checkRow, columnMap, type GuardFinding } from './schema-guard.js';

/**
 * Applies the schema guard to each row before it is batched: findings are counted and logged
 * (once per stream and column), and by config either reported or sent to the DLQ.
 */
export class StreamGuard {
  private readonly declared = new Map<string, { list: DcrColumn[]; map: Map<string, DcrColumnType> }>();
  private readonly logged = new Set<string>();

  constructor(
    private readonly config: SentinelSinkConfig,
    private readonly generated: DcrColumn[],
    private readonly context: SinkContext,
  ) {}

  /** The row for the stream, with the size of its JSON (what the batch limits count). */
  rowFor(stream: string, event: Record<string, unknown>): { row: Record<string, unknown>; bytes: number } {
    const columns = this.columnsOf(stream);
    const row = toRow(event, columns.list);
    const bytes = Buffer.byteLength(JSON.stringify(row), 'utf8');
    const findings = checkRow(row, columns.map, bytes);
    if (findings.length === 0) return { row, bytes };
    for (const f of findings) this.report(stream, f);
    const fatal = findings.find((f) => this.actionFor(f) === 'dlq');
    if (fatal) {
      const code = fatal.problem === 'too-large' ? 'RECORD_TOO_LARGE' : 'SCHEMA_MISMATCH';
      throw new SiemStreamError(code, `${stream}: ${findings.map((f) => f.detail).join('; ')}`, { stage: this.context.stage });
    }
    return { row, bytes };
  }

  private columnsOf(stream: string) {
    let columns = this.declared.get(stream);
    if (!columns) {
      const list = this.config.columns[stream] ?? this.generated;
      columns = { list, map: columnMap(list) };
      this.declared.set(stream, columns);
    }
    return columns;
  }

  private actionFor(finding: GuardFinding): 'report' | 'dlq' {
    const guard = this.config.schemaGuard;
    if (finding.problem === 'type') return guard.typeMismatches;
    if (finding.problem === 'too-large') return guard.oversizedFields;
    return guard.undeclaredColumns;
  }

  private report(stream: string, finding: GuardFinding): void {
    schemaGuardFindings.inc({ stage: this.context.stage, stream, problem: finding.problem });
    const key = `${stream}\u0000${finding.column}\u0000${finding.problem}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.context.logger.warn(
      { stream, ...finding, action: this.actionFor(finding) },
      'schema guard: the stream declaration does not fit this column',
    );
  }
}
