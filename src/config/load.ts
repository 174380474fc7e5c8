import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { SiemStreamError } from '../errors.js';
import { applyEnvOverrides } from './env-overrides.js';
import { type Topology, topologySchema } from './schema.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** deep-merged over the file before env overrides (used by the CLI and tests for local endpoints) */
  overrides?: Record<string, unknown>;
}

export function loadTopology(path: string, options: LoadOptions = {}): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SiemStreamError('CONFIG_INVALID', `cannot read topology file ${path}`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw new SiemStreamError('CONFIG_INVALID', `${path} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  return parseTopology(deepMerge(raw, options.overrides ?? {}), path, options.env);
}

export function parseTopology(raw: unknown, origin = '<topology>', env: NodeJS.ProcessEnv = process.env): Topology {
  const result = topologySchema.safeParse(applyEnvOverrides(raw, env));
  if (!result.success) {
    throw new SiemStreamError('CONFIG_INVALID', `invalid topology ${origin}:\n${formatIssues(result.error)}`);
  }
  return result.data;
}

export function formatIssues(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
      return `  - ${path}: ${issue.message}`;
    })
    .join('\n');
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(over)) {
    return Array.from({ length: Math.max(base.length, over.length) }, (_, i) => deepMerge(base[i], over[i]));
  }
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
