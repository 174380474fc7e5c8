import { type AvroField, loadSchema, type SchemaName } from '../../schemas/catalog.js';

/** Column types of a data collection rule stream declaration. */
export type DcrColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

export interface DcrColumn {
  name: string;
  type: DcrColumnType;
}

/**
 * The columns a DCR stream declares for the events a sink sends, derived from the Avro schema
 * in schemas/ — the one source for the emulator's declarations and the generated DCR.
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

/** Turns a decoded Avro event into a Logs Ingestion row: datetimes as ISO 8601, maps as objects. */
export function toRow(event: Record<string, unknown>, columns: DcrColumn[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const { name, type } of columns) {
    const value = event[name];
    if (value === null || value === undefined) continue;
    row[name] = type === 'datetime' ? new Date(value as number).toISOString() : value;
  }
  return row;
}
