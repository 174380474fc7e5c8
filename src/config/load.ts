import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ZodError, ZodIssue } from 'zod';
import { SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { timeFallbackChoices } from '../stages/parser/time-fallback.js';
import { applyEnvOverrides } from './env-overrides.js';
import { type Topology, topologySchema } from './schema.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** deep-merged over the file before env overrides (used by the CLI and tests for local endpoints) */
  overrides?: Record<string, unknown>;
  /** where the choices the config leaves to defaults are reported (commands that run stages pass theirs) */
  logger?: Logger;
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
  const topology = parseTopology(withOverrides(raw, options.overrides ?? {}), path, options.env);
  if (options.logger) reportChoices(topology, options.logger);
  return topology;
}

/** One info line per `json` log type without a TimeGenerated mapping: which time its events get. */
function reportChoices(topology: Topology, logger: Logger): void {
  for (const { logType, timeFallback } of timeFallbackChoices(topology.logTypes)) {
    logger.info(
      { logType, timeFallback },
      `log type "${logType}" maps no TimeGenerated: its events take the time of ${timeFallback === 'object-last-modified' ? "their S3 object's LastModified" : "their raw record's Kafka timestamp"} (logTypes.${logType}.timeFallback)`,
    );
  }
}

/**
 * The overrides deep-merged over the file, except `source.s3.routes`: an ordered first-match list,
 * replaced as a whole (merged entry by entry it would mix a `{preset}` entry with a `{match}` one).
 */
function withOverrides(raw: unknown, overrides: Record<string, unknown>): unknown {
  const merged = deepMerge(raw, overrides);
  const routes = (overrides.source as { s3?: { routes?: unknown } } | undefined)?.s3?.routes;
  if (routes === undefined || !isPlainObject(merged) || !isPlainObject(merged.source) || !isPlainObject(merged.source.s3)) return merged;
  return { ...merged, source: { ...merged.source, s3: { ...merged.source.s3, routes } } };
}

export function parseTopology(raw: unknown, origin = '<topology>', env: NodeJS.ProcessEnv = process.env): Topology {
  const result = topologySchema.safeParse(applyEnvOverrides(raw, env));
  if (!result.success) {
    throw new SiemStreamError('CONFIG_INVALID', `invalid topology ${origin}:\n${formatIssues(result.error)}`);
  }
  return result.data;
}

export function formatIssues(error: ZodError): string {
  return closestIssues(error.issues)
    .map((issue) => {
      const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
      return `  - ${path}: ${issue.message}`;
    })
    .join('\n');
}

/**
 * An entry that fits no member of a union (a route that is neither `{match, logType}` nor
 * `{preset}`) is reported by the member it came closest to (fewest issues), not as "Invalid input".
 */
function closestIssues(issues: ZodIssue[]): ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.unionErrors.length === 0) return [issue];
    const closest = issue.unionErrors.reduce((best, e) => (e.issues.length < best.issues.length ? e : best));
    return closestIssues(closest.issues);
  });
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
