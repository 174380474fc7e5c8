import type { KeyObject } from 'node:crypto';
import { SiemStreamError } from '../../errors.js';
import type { EnrichedEvent } from '../../schemas/events.js';
import { piiTransforms } from '../runtime/sink-metrics.js';
import { applyRule } from './actions.js';
import type { PiiConfig, PiiRule } from './config.js';
import { effectivePii, HASH_KEY_MISSING } from './effective-rules.js';
import { type FieldPath, parseFieldPath } from './field-paths.js';
import { readHashKey } from './hash-key.js';

interface CompiledRule {
  rule: PiiRule;
  path: FieldPath;
}

/**
 * Masks and redacts the fields of an enriched event before a destination encodes it. The event
 * is copied, never changed in place; what was transformed is counted by sink, field and action.
 */
export class PiiPolicy {
  private readonly compiled: CompiledRule[];

  constructor(
    private readonly stage: string,
    rules: readonly PiiRule[],
    private readonly hashKey: KeyObject | undefined,
  ) {
    this.compiled = rules.map((rule) => ({ rule, path: parseFieldPath(rule.field) }));
  }

  /** For the start-up log: which field gets which action (the key is never part of it). */
  describe(): Record<string, string> {
    return Object.fromEntries(this.compiled.map(({ rule }) => [rule.field, rule.action]));
  }

  apply(event: EnrichedEvent): EnrichedEvent {
    if (this.compiled.length === 0) return event;
    const out: Record<string, unknown> = { ...event };
    const copiedMaps = new Set<string>();
    for (const { rule, path } of this.compiled) {
      const value = path.key === undefined ? out[path.field] : mapAt(out, path.field)?.[path.key];
      if (value === null || value === undefined) continue;
      const applied = applyRule(rule, value, this.hashKey);
      let target = out;
      if (path.key !== undefined) {
        // the decoded event's own map is shared with nothing else, but a copy keeps apply() free of side effects
        if (!copiedMaps.has(path.field)) out[path.field] = { ...mapAt(out, path.field) };
        copiedMaps.add(path.field);
        target = mapAt(out, path.field) as Record<string, unknown>;
      }
      const name = path.key ?? path.field;
      if (applied.action === 'drop') delete target[name];
      else target[name] = applied.value;
      piiTransforms.inc({ stage: this.stage, field: rule.field, action: applied.action });
    }
    return out as unknown as EnrichedEvent;
  }
}

function mapAt(event: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const map = event[field];
  return typeof map === 'object' && map !== null ? (map as Record<string, unknown>) : undefined;
}

/** The policy of one sink, its hash key read now so a missing key stops the start with the setting's path. */
export function buildPiiPolicy(
  topology: PiiConfig | undefined,
  sink: { name: string; pii?: PiiConfig | undefined },
  sinkPath: Array<string | number>,
  env: NodeJS.ProcessEnv = process.env,
): PiiPolicy {
  const effective = effectivePii(topology, sink.pii, sinkPath);
  const needsKey = effective.rules.some((r) => r.rule.action === 'hash');
  if (needsKey && !effective.hashKey) throw new SiemStreamError('CONFIG_INVALID', `sink ${sink.name}: ${HASH_KEY_MISSING}`);
  const key = needsKey && effective.hashKey ? readHashKey(effective.hashKey.source, effective.hashKey.path.join('.'), env) : undefined;
  return new PiiPolicy(
    sink.name,
    effective.rules.map((r) => r.rule),
    key,
  );
}
