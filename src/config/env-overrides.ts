import { parse as parseYamlScalar } from 'yaml';
import { SiemStreamError } from '../errors.js';

export const ENV_PREFIX = 'SIEM_STREAM__';

/**
 * Applies `SIEM_STREAM__<PATH>` variables to a raw (unvalidated) topology object.
 * Path segments are separated by `__`, matched case-insensitively against existing keys
 * (new keys are camel-cased from SNAKE_CASE), array elements by index. Values are parsed
 * as YAML, so `19092`, `true` and `[a:1, b:2]` keep their types.
 * Example: SIEM_STREAM__KAFKA__BROKERS='[kafka-1:9092, kafka-2:9092]'.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  const root = (raw ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    if (path.length > 0) setPath(root, path, parseValue(name, value));
  }
  return root;
}

function parseValue(name: string, value: string): unknown {
  try {
    return parseYamlScalar(value) as unknown;
  } catch (cause) {
    throw new SiemStreamError('CONFIG_INVALID', `${name}: not a YAML value (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  path.forEach((segment, i) => {
    const key = resolveKey(node, segment);
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
}

function resolveKey(node: Record<string, unknown>, segment: string): string {
  const existing = Object.keys(node).find((k) => k.toLowerCase() === segment.toLowerCase().replaceAll('_', ''));
  if (existing !== undefined) return existing;
  if (Array.isArray(node) && /^\d+$/.test(segment)) return segment;
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
