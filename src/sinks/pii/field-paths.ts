import { type AvroField, loadSchema } from '../../schemas/catalog.js';
import type { PiiAction } from './config.js';

/** A rule's field: a top-level field of the enriched event, or one key of a map field (`AdditionalFields.user_email`). */
export interface FieldPath {
  field: string;
  key?: string;
}

type FieldKind = { kind: 'string' | 'map' | 'other'; nullable: boolean; avroType: string };

/** Fields the sink runtime and every destination rely on, with the reason, so no rule may touch them. */
const PROTECTED: Record<string, string> = {
  EventId: 'it makes a redelivery recognisable downstream',
  EventSchema: 'it routes the event to its stream',
  TimeGenerated: 'every destination needs the event time',
};

const FIELDS = new Map(loadSchema('enriched').fields.map((f) => [f.name, kindOf(f)]));

/** Splits at the first dot only: a map key may itself contain dots. */
export function parseFieldPath(path: string): FieldPath {
  const dot = path.indexOf('.');
  return dot < 0 ? { field: path } : { field: path.slice(0, dot), key: path.slice(dot + 1) };
}

/** Why `action` cannot apply to `path` of the enriched event, or undefined when it can. */
export function fieldPathProblem(path: string, action: PiiAction): string | undefined {
  const { field, key } = parseFieldPath(path);
  const info = FIELDS.get(field);
  if (info === undefined) return `unknown field "${field}"; rules name fields of the enriched event (schemas/enriched-event.avsc)`;
  if (field in PROTECTED) return `"${field}" cannot be transformed: ${PROTECTED[field]}`;
  if (key !== undefined) {
    if (info.kind !== 'map') return `"${field}" has no nested fields; only a map field (e.g. AdditionalFields.<key>) takes a key`;
    return key === '' ? `"${path}": name the map key after the dot` : undefined;
  }
  if (action === 'drop') {
    return info.nullable || info.kind === 'map'
      ? undefined
      : `"${field}" is required by the event model and cannot be dropped; hash, truncate or mask it instead`;
  }
  if (info.kind === 'string') return undefined;
  const instead = info.nullable || info.kind === 'map' ? '; drop it instead' : '';
  const target = info.kind === 'map' ? `, or name one key (${field}.<key>)` : '';
  return `"${field}" is ${info.avroType}: ${action} applies to string fields only, so the result still fits the column${instead}${target}`;
}

function kindOf(field: AvroField): FieldKind {
  const nullable = Array.isArray(field.type) && field.type.includes('null');
  const type = Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : field.type;
  if (type === 'string') return { kind: 'string', nullable, avroType: 'string' };
  const t = type as { type?: string; values?: unknown; logicalType?: string } | string;
  if (typeof t === 'object' && t.type === 'map' && t.values === 'string') return { kind: 'map', nullable, avroType: 'a map' };
  const name = typeof t === 'string' ? t : (t.logicalType ?? t.type ?? 'complex');
  return { kind: 'other', nullable, avroType: `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} field` };
}
