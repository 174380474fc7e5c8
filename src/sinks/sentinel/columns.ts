import { type AvroField, loadSchema, type SchemaName } from '../../schemas/catalog.js';

/** Column types of a data collection rule stream declaration. */
export type DcrColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

export interface DcrColumn {
  name: string;
  type: DcrColumnType;
}

/**
 * The columns a DCR stream declares for the events a sink sends, derived from the Avro schema
 * in schemas/ — the one source for the schema guard, the emulator's declarations and
 * `siem-stream dcr generate`.
 */
export function dcrColumns(schema: SchemaName = 'enriched'): DcrColumn[] {
  return loadSchema(schema).fields.map((field) => ({ name: field.name, type: columnType(field) }));
}

function columnType(field: AvroField): DcrColumnType {
  const type = Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : field.type;
  if (typeof type === 'object' && type !== null) {
    const t = type as { type: string; logicalType?: string };
    if (t.logicalType === 'timestamp-millis') return 'datetime';
    if (t.type === 'map' || t.type === 'array' || t.type === 'record') return 'dynamic';
    return columnType({ ...field, type: t.type });
  }
  switch (type) {
    case 'int':
      return 'int';
    case 'long':
      return 'long';
    case 'float':
    case 'double':
      return 'real';
    case 'boolean':
      return 'boolean';
    default:
      return 'string';
  }
}

/**
 * Turns a decoded Avro event into a Logs Ingestion row: every field of the event (so a field the
 * stream does not declare reaches the schema guard instead of vanishing), datetimes as ISO 8601.
 */
export function toRow(event: Record<string, unknown>, columns: readonly DcrColumn[]): Record<string, unknown> {
  const datetimes = datetimeColumns(columns);
  const row: Record<string, unknown> = {};
  for (const name of Object.keys(event)) {
    const value = event[name];
    if (value === null || value === undefined) continue;
    row[name] = typeof value === 'number' && datetimes.has(name) ? new Date(value).toISOString() : value;
  }
  return row;
}

const datetimesOf = new WeakMap<readonly DcrColumn[], ReadonlySet<string>>();

/** Worked out once per declaration, not per row. */
function datetimeColumns(columns: readonly DcrColumn[]): ReadonlySet<string> {
  let names = datetimesOf.get(columns);
  if (!names) {
    names = new Set(columns.filter((c) => c.type === 'datetime').map((c) => c.name));
    datetimesOf.set(columns, names);
  }
  return names;
}
