import { z } from 'zod';
import { base as unwrapAll } from './zod-layers.js';

/** Enums longer than this, when they have a name, are listed once under their name instead of in every cell. */
const INLINE_ENUM_VALUES = 8;

/** Long enums met in type positions, by name (their description): listed once on the page. */
export type NamedEnums = Map<string, readonly string[]>;

/**
 * A schema's type as the reference shows it (markdown): `int > 0`, `URL`, `` `tcp` | `tls` ``,
 * `list of string, at least 1`. Inside a type (a list's element, a map's key or value) a long enum
 * with a description is shown by that description, a link to its values in `named`; at the top,
 * a schema's description is the setting's, never a type name.
 */
export function typeOf(schema: z.ZodTypeAny, named: NamedEnums = new Map(), nested = false): string {
  const s = unwrapAll(schema);
  const inner = (t: z.ZodTypeAny) => typeOf(t, named, true);
  if (nested && s instanceof z.ZodEnum && s.options.length > INLINE_ENUM_VALUES && s.description) {
    named.set(s.description, s.options as string[]);
    return `[${s.description}](#${anchorOf(s.description)})`;
  }
  if (s instanceof z.ZodString) return stringType(s);
  if (s instanceof z.ZodNumber) return numberType(s);
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodEnum) return (s.options as string[]).map((v) => `\`${v}\``).join(' | ');
  if (s instanceof z.ZodNativeEnum)
    return Object.values(s.enum as Record<string, string | number>)
      .map((v) => `\`${v}\``)
      .join(' | ');
  if (s instanceof z.ZodLiteral) return `\`${String(s.value)}\``;
  if (s instanceof z.ZodObject) return 'object';
  if (s instanceof z.ZodDiscriminatedUnion) return `object, by \`${s.discriminator}\``;
  if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).map(inner).join(' or ');
  if (s instanceof z.ZodArray) return arrayType(s, inner);
  if (s instanceof z.ZodRecord) return `map of ${inner(s.keySchema as z.ZodTypeAny)} → ${inner(s.valueSchema as z.ZodTypeAny)}`;
  if (s instanceof z.ZodAny || s instanceof z.ZodUnknown) return 'any';
  throw new Error(`the config reference cannot name the type ${s.constructor.name}; teach type-names.ts`);
}

function stringType(s: z.ZodString): string {
  const named: string[] = [];
  const parts: string[] = [];
  for (const check of s._def.checks) {
    if (check.kind === 'url') named.push('URL');
    else if (check.kind === 'uuid') named.push('UUID');
    else if (check.kind === 'email') named.push('email address');
    else if (check.kind === 'datetime') named.push(check.offset ? 'ISO 8601 date-time (any offset)' : 'ISO 8601 date-time (UTC, `Z`)');
    else if (check.kind === 'regex') parts.push(check.message ?? `matching \`${check.regex.source}\``);
    else if (check.kind === 'min' && check.value > 1) parts.push(`at least ${check.value} characters`);
    else if (check.kind === 'max') parts.push(`at most ${check.value} characters`);
    else if (check.kind === 'length') parts.push(`exactly ${check.value} characters`);
    else if (check.kind === 'startsWith') parts.push(`starting with \`${check.value}\``);
  }
  const base = named.join(', ') || 'string';
  return parts.length === 0 ? base : `${base}: ${parts.join(', ')}`;
}

function numberType(s: z.ZodNumber): string {
  const base = s.isInt ? 'int' : 'number';
  const min = s._def.checks.find((c) => c.kind === 'min');
  const max = s._def.checks.find((c) => c.kind === 'max');
  if (min?.kind === 'min' && max?.kind === 'max' && min.inclusive && max.inclusive) return `${base} ${min.value}–${max.value}`;
  const bounds: string[] = [];
  if (min?.kind === 'min') bounds.push(`${min.inclusive ? '≥' : '>'} ${min.value}`);
  if (max?.kind === 'max') bounds.push(`${max.inclusive ? '≤' : '<'} ${max.value}`);
  return bounds.length === 0 ? base : `${base} ${bounds.join(', ')}`;
}

function arrayType(s: z.ZodArray<z.ZodTypeAny>, inner: (t: z.ZodTypeAny) => string): string {
  const element = unwrapAll(s.element);
  const isObject = (t: z.ZodTypeAny) => t instanceof z.ZodObject || t instanceof z.ZodDiscriminatedUnion;
  const objects =
    isObject(element) || (element instanceof z.ZodUnion && (element.options as z.ZodTypeAny[]).every((o) => isObject(unwrapAll(o))));
  const what = objects ? 'objects' : inner(s.element);
  const bounds: string[] = [];
  if (s._def.exactLength) bounds.push(`exactly ${s._def.exactLength.value}`);
  if (s._def.minLength) bounds.push(`at least ${s._def.minLength.value}`);
  if (s._def.maxLength) bounds.push(`at most ${s._def.maxLength.value}`);
  return `list of ${what}${bounds.length === 0 ? '' : `, ${bounds.join(', ')}`}`;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as dashes. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}
