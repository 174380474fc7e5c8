import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Avro schemas the dataflow registers, read from the repository's schemas/ folder. */
export const SCHEMA_FILES = {
  normalized: 'normalized-event.avsc',
  enriched: 'enriched-event.avsc',
  incident: 'incident.avsc',
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

export interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  fields: AvroField[];
}

export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

export function loadSchema(name: SchemaName): AvroRecordSchema {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]), 'utf8')) as AvroRecordSchema;
}
