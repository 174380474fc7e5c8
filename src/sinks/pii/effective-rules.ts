import type { HashKeySource, PiiConfig, PiiRule } from './config.js';

/** A rule in force for one sink, with where it was configured (for error messages). */
export interface EffectiveRule {
  rule: PiiRule;
  path: Array<string | number>;
}

export interface EffectivePii {
  rules: EffectiveRule[];
  hashKey?: { source: HashKeySource; path: Array<string | number> };
}

/**
 * The rules one sink applies: the topology's, extended by the sink's; a sink rule for a field the
 * topology covers replaces that rule. The sink's hashKey, when set, replaces the topology's.
 */
export function effectivePii(topology: PiiConfig | undefined, sink: PiiConfig | undefined, sinkPath: Array<string | number>): EffectivePii {
  const byField = new Map<string, EffectiveRule>();
  for (const [i, rule] of (topology?.rules ?? []).entries()) byField.set(rule.field, { rule, path: ['pii', 'rules', i] });
  for (const [i, rule] of (sink?.rules ?? []).entries()) byField.set(rule.field, { rule, path: [...sinkPath, 'pii', 'rules', i] });
  const hashKey = sink?.hashKey
    ? { source: sink.hashKey, path: [...sinkPath, 'pii', 'hashKey'] }
    : topology?.hashKey
      ? { source: topology.hashKey, path: ['pii', 'hashKey'] }
      : undefined;
  return { rules: [...byField.values()], ...(hashKey ? { hashKey } : {}) };
}

export const HASH_KEY_MISSING = 'a hash rule needs pii.hashKey (env or file), at the topology or on the sink';

/** Hash rules some sink would apply without a key, by the path of the rule (checked when the topology loads). */
export function missingHashKeyIssues(
  topology: PiiConfig | undefined,
  sinks: ReadonlyArray<{ pii?: PiiConfig | undefined }>,
): Array<{ path: Array<string | number>; message: string }> {
  const issues = new Map<string, { path: Array<string | number>; message: string }>();
  sinks.forEach((sink, i) => {
    const effective = effectivePii(topology, sink.pii, ['sinks', i]);
    if (effective.hashKey) return;
    for (const { rule, path } of effective.rules) {
      if (rule.action === 'hash') issues.set(path.join('.'), { path: [...path, 'action'], message: HASH_KEY_MISSING });
    }
  });
  return [...issues.values()];
}
