import type { DcrColumn, DcrColumnType } from './columns.js';

/** Logs Ingestion truncates field values above 64 KB. */
export const MAX_FIELD_BYTES = 65_536;

/** Names a custom table cannot use: Azure Monitor's standard columns, and anything starting with "_". */
export const RESERVED_COLUMNS = new Set(['TenantId', 'Type', 'SourceSystem', 'MG', 'ManagementGroupName', 'Computer', 'RawData']);

export type GuardProblem = 'undeclared' | 'type' | 'too-large' | 'reserved';

export interface GuardFinding {
  column: string;
  problem: GuardProblem;
  detail: string;
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

export function isReservedColumn(name: string): boolean {
  return name.startsWith('_') || RESERVED_COLUMNS.has(name);
}

/**
 * Compares one row with its stream's column declaration, as the service would see it: a column
 * it does not declare (the API drops it silently), a value of the wrong type (stored as null or
 * converted), a value above the 64 KB field limit (truncated), a reserved name. `rowBytes`, the
 * row's JSON size when the caller knows it, spares measuring each field of a small row.
 */
export function checkRow(
  row: Record<string, unknown>,
  columns: ReadonlyMap<string, DcrColumnType>,
  rowBytes = Number.POSITIVE_INFINITY,
): GuardFinding[] {
  const findings: GuardFinding[] = [];
  // no field of a row whose whole JSON fits the field limit can exceed it: sizes are measured only when it does not
  const sizeFields = rowBytes > MAX_FIELD_BYTES;
  for (const column of Object.keys(row)) {
    const value = row[column];
    const type = columns.get(column);
    if (isReservedColumn(column)) findings.push({ column, problem: 'reserved', detail: `"${column}" is a reserved column name` });
    else if (type === undefined) findings.push({ column, problem: 'undeclared', detail: `"${column}" is not declared by the stream` });
    else if (!fits(value, type))
      findings.push({ column, problem: 'type', detail: `"${column}" is declared ${type}, got ${describe(value)}` });
    const bytes = sizeFields ? fieldBytes(value) : 0;
    if (bytes > MAX_FIELD_BYTES)
      findings.push({
        column,
        problem: 'too-large',
        detail: `"${column}" is ${bytes} bytes, over the ${MAX_FIELD_BYTES}-byte field limit`,
      });
  }
  return findings;
}

export function columnMap(columns: readonly DcrColumn[]): Map<string, DcrColumnType> {
  return new Map(columns.map((c) => [c.name, c.type]));
}

function fieldBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'object' && value !== null) return Buffer.byteLength(JSON.stringify(value), 'utf8');
  return 0;
}

function fits(value: unknown, type: DcrColumnType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX;
    case 'long':
      return Number.isInteger(value);
    case 'real':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'dynamic':
      return typeof value === 'object';
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? `integer ${value}` : 'number';
  return typeof value;
}
