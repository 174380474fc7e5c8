import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ColumnCheck } from './column-check.js';

/** One row as the destination table would hold it (undeclared keys removed), with where and when it arrived. */
export interface StoredRecord {
  receivedAt: string;
  dcrImmutableId: string;
  stream: string;
  table: string;
  record: Record<string, unknown>;
  /** keys the request carried that the stream does not declare */
  droppedColumns?: string[];
}

export interface AcceptedBatch {
  dcrImmutableId: string;
  stream: string;
  table: string;
  records: Array<{ record: Record<string, unknown>; check: ColumnCheck }>;
  /** who sent it (bearer-auth.ts): a verified token's app id, or how a plain token was let in */
  caller: string;
}

export interface RecordFilter {
  stream?: string;
  table?: string;
  dcrImmutableId?: string;
  offset?: number;
  limit?: number;
}

export interface TypeMismatchStats {
  expected: string;
  count: number;
  lastActual: string;
}

export interface EmulatorStatsSnapshot {
  totalRecords: number;
  byStream: Record<string, number>;
  byTable: Record<string, number>;
  /** byCaller: accepted requests per verified app id (appid), "(static token)" or "(unverified token)" */
  requests: { total: number; accepted: number; byStream: Record<string, number>; byCaller: Record<string, number> };
  rejections: { total: number; byStatus: Record<string, number> };
  connectionsDropped: number;
  /** stream → undeclared column → number of records that carried it */
  droppedColumns: Record<string, Record<string, number>>;
  /** stream → column → mismatches */
  typeMismatches: Record<string, Record<string, TypeMismatchStats>>;
  since: string;
}

/** Everything the emulator accepted, in memory and optionally in a JSONL file. */
export class RecordStore {
  private rows: StoredRecord[] = [];
  private counters = emptyCounters();

  constructor(private readonly file?: string) {
    if (file) this.restore(file);
  }

  countRequest(stream: string | undefined): void {
    this.counters.requests.total += 1;
    if (stream !== undefined) increment(this.counters.requests.byStream, stream);
  }

  countRejection(status: number): void {
    this.counters.rejections.total += 1;
    increment(this.counters.rejections.byStatus, String(status));
  }

  countDroppedConnection(): void {
    this.counters.connectionsDropped += 1;
  }

  accept(batch: AcceptedBatch): void {
    const receivedAt = new Date().toISOString();
    const stored: StoredRecord[] = [];
    for (const { record, check } of batch.records) {
      const kept = check.undeclared.length === 0 ? record : withoutKeys(record, check.undeclared);
      const row: StoredRecord = {
        receivedAt,
        dcrImmutableId: batch.dcrImmutableId,
        stream: batch.stream,
        table: batch.table,
        record: kept,
      };
      if (check.undeclared.length > 0) row.droppedColumns = check.undeclared;
      stored.push(row);
      this.countColumns(batch.stream, check);
    }
    // Written before the 204 goes out, so a process reading the file never sees fewer rows than a client was told were accepted.
    if (this.file && stored.length > 0) appendFileSync(this.file, stored.map((r) => `${JSON.stringify(r)}\n`).join(''));
    for (const row of stored) this.add(row);
    this.counters.requests.accepted += 1;
    increment(this.counters.requests.byCaller, batch.caller);
  }

  records(filter: RecordFilter = {}): StoredRecord[] {
    const matching = this.rows.filter(
      (r) =>
        (filter.stream === undefined || r.stream === filter.stream) &&
        (filter.table === undefined || r.table === filter.table) &&
        (filter.dcrImmutableId === undefined || r.dcrImmutableId === filter.dcrImmutableId),
    );
    const offset = filter.offset ?? 0;
    return matching.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
  }

  stats(): EmulatorStatsSnapshot {
    return structuredClone({ ...this.counters, totalRecords: this.rows.length });
  }

  /** Forgets every record and counter, and empties the records file. */
  reset(): void {
    this.rows = [];
    this.counters = emptyCounters();
    if (this.file) writeFileSync(this.file, '');
  }

  private add(row: StoredRecord): void {
    this.rows.push(row);
    increment(this.counters.byStream, row.stream);
    increment(this.counters.byTable, row.table);
  }

  private countColumns(stream: string, check: ColumnCheck): void {
    for (const column of check.undeclared) increment(entryOf(this.counters.droppedColumns, stream, {}), column);
    for (const m of check.mismatches) {
      const perStream = entryOf(this.counters.typeMismatches, stream, {});
      const entry = entryOf(perStream, m.column, { expected: m.expected, count: 0, lastActual: m.actual });
      entry.count += 1;
      entry.lastActual = m.actual;
    }
  }

  /** A restarted emulator keeps serving what it accepted before, like a real table would. */
  private restore(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    // a crash mid-append leaves a torn last line; end it so the next append starts a fresh one
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(file, '\n');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.add(JSON.parse(line) as StoredRecord);
      } catch {
        // the torn line itself: skipped
      }
    }
  }
}

function emptyCounters(): Omit<EmulatorStatsSnapshot, 'totalRecords'> {
  return {
    byStream: {},
    byTable: {},
    requests: { total: 0, accepted: 0, byStream: {}, byCaller: {} },
    rejections: { total: 0, byStatus: {} },
    connectionsDropped: 0,
    droppedColumns: {},
    typeMismatches: {},
    since: new Date().toISOString(),
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function entryOf<T>(map: Record<string, T>, key: string, initial: T): T {
  const existing = map[key];
  if (existing !== undefined) return existing;
  map[key] = initial;
  return initial;
}

function withoutKeys(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const drop = new Set(keys);
  return Object.fromEntries(Object.entries(record).filter(([k]) => !drop.has(k)));
}
