import { createHmac, type KeyObject } from 'node:crypto';
import type { PiiRule } from './config.js';
import { ipPrefix } from './ip-prefix.js';

/** What a rule did to one value; `drop` also when a value could not be transformed safely. */
export type Applied = { action: 'hash' | 'truncate' | 'mask'; value: string } | { action: 'drop' };

/**
 * Applies one rule to a present, non-null value. A value the rule cannot transform (not a
 * string, or not an IP address for an IP prefix) is dropped rather than passed on unchanged.
 */
export function applyRule(rule: PiiRule, value: unknown, hashKey: KeyObject | undefined): Applied {
  if (rule.action === 'drop' || typeof value !== 'string') return { action: 'drop' };
  switch (rule.action) {
    case 'hash': {
      const hex = hmacHex(hashKey as KeyObject, value);
      return { action: 'hash', value: rule.length === undefined ? hex : hex.slice(0, rule.length) };
    }
    case 'truncate': {
      if (rule.length !== undefined) return { action: 'truncate', value: truncateCodePoints(value, rule.length) };
      const prefix = ipPrefix(value, rule.ipPrefix as { ipv4: number; ipv6: number });
      return prefix === undefined ? { action: 'drop' } : { action: 'truncate', value: prefix };
    }
    case 'mask':
      return { action: 'mask', value: maskAllButLast(value, rule.keepLast, rule.maskChar) };
  }
}

export function hmacHex(key: KeyObject, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** The first `length` code points: a surrogate pair (an emoji, a rare CJK character) is never split. */
export function truncateCodePoints(value: string, length: number): string {
  if (value.length <= length) return value;
  return Array.from(value).slice(0, length).join('');
}

/** Every code point but the last `keepLast` replaced; a value no longer than `keepLast` is masked whole. */
export function maskAllButLast(value: string, keepLast: number, maskChar: string): string {
  const chars = Array.from(value);
  const kept = chars.length > keepLast ? chars.slice(chars.length - keepLast) : [];
  return maskChar.repeat(chars.length - kept.length) + kept.join('');
}
