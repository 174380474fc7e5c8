import type { Column, ColumnType } from './config.js';

export interface TypeMismatch {
  column: string;
  expected: ColumnType;
  actual: string;
}

export interface ColumnCheck {
  /** keys the stream does not declare: the real service drops them silently */
  undeclared: string[];
  /** values the service could not store as the declared type (it stores null or a conversion) */
  mismatches: TypeMismatch[];
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** Compares one record against its stream declaration, the way a DCR's input stream sees it. */
export function checkRecord(record: Record<string, unknown>, columns: readonly Column[]): ColumnCheck {
  const declared = new Map(columns.map((c) => [c.name, c.type]));
  const undeclared: string[] = [];
  const mismatches: TypeMismatch[] = [];
  for (const [key, value] of Object.entries(record)) {
    const expected = declared.get(key);
    if (expected === undefined) undeclared.push(key);
    else if (value !== null && !fits(value, expected)) mismatches.push({ column: key, expected, actual: describe(value) });
  }
  return { undeclared, mismatches };
}

function fits(value: unknown, type: ColumnType): boolean {
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
      return true;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
