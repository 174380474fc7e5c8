import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { type NamedEnums, typeOf } from './type-names.js';
import { peel } from './zod-layers.js';

/**
 * A variant a setting belongs to: `key: value` of the discriminated union at `unionPath`, or, in a
 * plain union of objects, the option that has `key` (`value` empty).
 */
export interface Condition {
  unionPath: string;
  key: string;
  value: string;
}

/** One setting of the reference: a row of its tables. `default` and `type` are already markdown. */
export interface SettingRow {
  path: string;
  type: string;
  default: string;
  description: string;
  /** the union variants the setting exists in, outermost first; empty = always */
  conditions: Condition[];
}

/** Everything the walk found: the rows in declaration order and the description of each union variant. */
export interface SettingTree {
  rows: SettingRow[];
  /** every discriminated union by its path: the discriminator key and each variant's value and description */
  unions: Map<string, { key: string; variants: Array<{ value: string; description?: string }> }>;
  /** long enums shown by name in the type column, with their values */
  namedEnums: NamedEnums;
}

/** What the wrappers around a schema say: optional, default, description (the outermost one wins). */
interface Unwrapped {
  base: z.ZodTypeAny;
  optional: boolean;
  defaultValue?: { value: unknown };
  description?: string;
}

export function unwrap(schema: z.ZodTypeAny): Unwrapped {
  const out: Unwrapped = { base: schema, optional: false };
  for (let node: z.ZodTypeAny | undefined = schema; node; node = peel(node)) {
    out.description ??= node.description;
    if (node instanceof z.ZodOptional) out.optional = true;
    if (node instanceof z.ZodDefault) out.defaultValue ??= { value: node._def.defaultValue() as unknown };
    out.base = node;
  }
  return out;
}

/**
 * Every setting under `schema`, depth first in declaration order: objects by key (`a.b`), array
 * elements as `a[]`, record values as `a.<key>` (the key schema's description names the key).
 * A discriminated union's variants are walked one by one; a setting equal in every variant is
 * listed once, the others carry the variant as a condition.
 */
export function settingRows(schema: z.ZodTypeAny): SettingTree {
  const tree: SettingTree = { rows: [], unions: new Map(), namedEnums: new Map() };
  tree.rows = childRows(unwrap(schema).base, '', tree);
  return tree;
}

function childRows(base: z.ZodTypeAny, path: string, tree: SettingTree): SettingRow[] {
  if (base instanceof z.ZodObject) {
    return Object.entries(base.shape as z.ZodRawShape).flatMap(([key, field]) => fieldRows(field, join(path, key), tree));
  }
  if (base instanceof z.ZodArray) return childRows(unwrap(base.element as z.ZodTypeAny).base, `${path}[]`, tree);
  if (base instanceof z.ZodRecord) {
    const key = unwrap(base.keySchema as z.ZodTypeAny).description ?? 'key';
    return childRows(unwrap(base.valueSchema as z.ZodTypeAny).base, `${path}.<${key}>`, tree);
  }
  if (base instanceof z.ZodDiscriminatedUnion) return variantRows(base, path, tree);
  if (base instanceof z.ZodUnion) {
    const options = (base.options as z.ZodTypeAny[]).map((option) => unwrap(option).base);
    if (options.length > 1 && options.every((o) => o instanceof z.ZodObject))
      return objectOptionRows(options as z.AnyZodObject[], path, tree);
    return options.flatMap((option) => childRows(option, path, tree));
  }
  return [];
}

function fieldRows(field: z.ZodTypeAny, path: string, tree: SettingTree): SettingRow[] {
  const u = unwrap(field);
  const row: SettingRow = {
    path,
    type: typeOf(u.base, tree.namedEnums),
    default: defaultText(u),
    description: u.description ?? '',
    conditions: [],
  };
  return [row, ...childRows(u.base, path, tree)];
}

function variantRows(
  union: z.ZodDiscriminatedUnion<string, z.ZodDiscriminatedUnionOption<string>[]>,
  path: string,
  tree: SettingTree,
): SettingRow[] {
  const key = union.discriminator;
  const variants = union.options.map((option) => {
    const values = discriminatorValues(option.shape[key] as z.ZodTypeAny);
    const value = values.join(' | ');
    const rows = childRows(option, path, tree).filter((r) => r.path !== join(path, key));
    return { value, values, rows, ...(option.description ? { description: option.description } : {}) };
  });
  tree.unions.set(path, { key, variants: variants.map(({ value, description }) => ({ value, ...(description ? { description } : {}) })) });
  const same = (a: SettingRow, b: SettingRow) => JSON.stringify(a) === JSON.stringify(b);
  const shared = variants[0]?.rows.filter((r) => variants.every((v) => v.rows.some((o) => same(o, r)))) ?? [];
  const discriminator: SettingRow = {
    path: join(path, key),
    type: variants.flatMap((v) => v.values.map((value) => `\`${value}\``)).join(' | '),
    default: '*required*',
    description: variants.some((v) => v.description)
      ? variants.map((v) => `\`${v.value}\`: ${v.description ?? ''}`).join('; ')
      : 'picks the variant; the other settings depend on it',
    conditions: [],
  };
  const own = variants.flatMap((v) =>
    v.rows
      .filter((r) => !shared.some((s) => same(s, r)))
      .map((r) => ({ ...r, conditions: [{ unionPath: path, key, value: v.value }, ...r.conditions] })),
  );
  return [discriminator, ...shared, ...own];
}

/** The values a variant's discriminator takes: a literal's one, or each of an enum's (`mechanism: plain | scram-sha-256 | …`). */
function discriminatorValues(schema: z.ZodTypeAny): string[] {
  const s = unwrap(schema).base;
  if (s instanceof z.ZodLiteral) return [String(s.value)];
  if (s instanceof z.ZodEnum) return (s.options as unknown[]).map(String);
  throw new Error(`a discriminator the config reference cannot read: ${s.constructor.name}`);
}

/**
 * A plain union of objects (`{ match, … }` or `{ preset, … }`): the settings every option shares
 * once, then each option's own, marked by the first required key only that option has.
 */
function objectOptionRows(options: z.AnyZodObject[], path: string, tree: SettingTree): SettingRow[] {
  const keysOf = (o: z.AnyZodObject) => Object.keys(o.shape as z.ZodRawShape);
  const perOption = options.map((option, i) => {
    const others = options.filter((_, j) => j !== i).flatMap(keysOf);
    const marker = keysOf(option).find((k) => !others.includes(k) && !(option.shape as z.ZodRawShape)[k]?.isOptional());
    if (marker === undefined) throw new Error(`${path}: a union option has no required key of its own to tell it apart`);
    return { marker, rows: childRows(option, path, tree) };
  });
  const same = (a: SettingRow, b: SettingRow) => JSON.stringify(a) === JSON.stringify(b);
  const shared = perOption[0]?.rows.filter((r) => perOption.every((o) => o.rows.some((x) => same(x, r)))) ?? [];
  const own = perOption.flatMap(({ marker, rows }) =>
    rows
      .filter((r) => !shared.some((s) => same(s, r)))
      .map((r) => ({ ...r, conditions: [{ unionPath: path, key: marker, value: '' }, ...r.conditions] })),
  );
  return [...shared, ...own];
}

function defaultText(u: Unwrapped): string {
  if (u.defaultValue) {
    const value = u.defaultValue.value;
    if (u.base instanceof z.ZodObject && isEmptyObject(value)) return "each field's default";
    return `\`${toYaml(value, { collectionStyle: 'flow', lineWidth: 0 }).trim()}\``;
  }
  return u.optional ? '*optional*' : '*required*';
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
