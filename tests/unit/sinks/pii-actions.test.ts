import { createHmac, createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyRule, maskAllButLast, truncateCodePoints } from '../../../src/sinks/pii/actions.js';
import { ipPrefix } from '../../../src/sinks/pii/ip-prefix.js';

const KEY_TEXT = 'k'.repeat(32);
const KEY = createSecretKey(Buffer.from(KEY_TEXT));

describe('PII actions', () => {
  describe('hash', () => {
    it('is the keyed HMAC-SHA-256 in hex, the same for the same input and key', () => {
      const expected = createHmac('sha256', KEY_TEXT).update('alice@example.com').digest('hex');
      const rule = { field: 'ActorUsername', action: 'hash' } as const;
      expect(applyRule(rule, 'alice@example.com', KEY)).toEqual({ action: 'hash', value: expected });
      expect(applyRule(rule, 'alice@example.com', KEY)).toEqual(applyRule(rule, 'alice@example.com', KEY));
      expect(expected).toMatch(/^[0-9a-f]{64}$/);
    });

    it('differs with another key, so a dictionary of plain hashes does not reverse it', () => {
      const plain = createHmac('sha256', '').update('10.0.0.1').digest('hex');
      const other = createSecretKey(Buffer.from('o'.repeat(32)));
      const rule = { field: 'SrcIpAddr', action: 'hash' } as const;
      const a = applyRule(rule, '10.0.0.1', KEY);
      const b = applyRule(rule, '10.0.0.1', other);
      expect(a).not.toEqual(b);
      expect(a).not.toEqual({ action: 'hash', value: plain });
    });

    it('keeps the first `length` hex characters when asked', () => {
      const full = applyRule({ field: 'ActorUsername', action: 'hash' }, 'bob', KEY);
      const short = applyRule({ field: 'ActorUsername', action: 'hash', length: 16 }, 'bob', KEY);
      expect(short.action === 'hash' && full.action === 'hash' && full.value.startsWith(short.value)).toBe(true);
      expect(short.action === 'hash' ? short.value : '').toHaveLength(16);
    });

    it('hashes unicode as its UTF-8 bytes', () => {
      const expected = createHmac('sha256', KEY_TEXT).update(Buffer.from('Zoë🙂', 'utf8')).digest('hex');
      expect(applyRule({ field: 'ActorUsername', action: 'hash' }, 'Zoë🙂', KEY)).toEqual({ action: 'hash', value: expected });
    });
  });

  describe('truncate', () => {
    it('keeps the first N characters and never splits a surrogate pair', () => {
      expect(truncateCodePoints('abcdef', 3)).toBe('abc');
      expect(truncateCodePoints('ab', 3)).toBe('ab');
      expect(truncateCodePoints('a🙂b🙂', 2)).toBe('a🙂');
      expect(truncateCodePoints('🙂🙂🙂', 1)).toBe('🙂');
      expect(truncateCodePoints('日本語テキスト', 3)).toBe('日本語');
      expect(truncateCodePoints('', 3)).toBe('');
    });

    it('keeps the /24 of an IPv4 address and the /48 of an IPv6 address', () => {
      const rule = { field: 'SrcIpAddr', action: 'truncate', ipPrefix: { ipv4: 24, ipv6: 48 } } as const;
      expect(applyRule(rule, '203.0.113.77', KEY)).toEqual({ action: 'truncate', value: '203.0.113.0' });
      expect(applyRule(rule, '2001:db8:abcd:12:3456::1', KEY)).toEqual({ action: 'truncate', value: '2001:db8:abcd::' });
    });

    it('drops a value that is not an IP address instead of passing it on', () => {
      const rule = { field: 'SrcIpAddr', action: 'truncate', ipPrefix: { ipv4: 24, ipv6: 48 } } as const;
      expect(applyRule(rule, 'host.example.com', KEY)).toEqual({ action: 'drop' });
      expect(applyRule(rule, '10.0.0.1:443', KEY)).toEqual({ action: 'drop' });
    });
  });

  describe('IP prefixes', () => {
    const lengths = { ipv4: 24, ipv6: 48 };
    it.each([
      ['192.0.2.255', lengths, '192.0.2.0'],
      ['192.0.2.255', { ipv4: 20, ipv6: 48 }, '192.0.0.0'],
      ['192.0.2.255', { ipv4: 32, ipv6: 48 }, '192.0.2.255'],
      ['192.0.2.255', { ipv4: 0, ipv6: 48 }, '0.0.0.0'],
      ['2001:DB8:ABCD:0012::1', lengths, '2001:db8:abcd::'],
      ['2001:db8:abcd:ff12:0:0:0:1', { ipv4: 24, ipv6: 52 }, '2001:db8:abcd:f000::'],
      ['2001:db8:0:0:1:0:0:1', { ipv4: 24, ipv6: 128 }, '2001:db8::1:0:0:1'],
      ['::1', lengths, '::'],
      ['fe80::1%eth0', lengths, 'fe80::'],
      ['::ffff:198.51.100.7', lengths, '::ffff:198.51.100.0'],
    ])('%s with %o → %s', (address, prefix, expected) => {
      expect(ipPrefix(address, prefix)).toBe(expected);
    });

    it('returns nothing for what is not an address', () => {
      expect(ipPrefix('256.1.1.1', lengths)).toBeUndefined();
      expect(ipPrefix('2001:db8::g', lengths)).toBeUndefined();
      expect(ipPrefix('', lengths)).toBeUndefined();
    });
  });

  describe('mask', () => {
    it('keeps the last N characters and replaces the rest', () => {
      expect(maskAllButLast('4111111111111111', 4, '*')).toBe('************1111');
      expect(maskAllButLast('alice', 0, '#')).toBe('#####');
    });

    it('masks a value no longer than N whole, so a short value is never shown', () => {
      expect(maskAllButLast('abc', 4, '*')).toBe('***');
      expect(maskAllButLast('abcd', 4, '*')).toBe('****');
    });

    it('counts characters, not UTF-16 units', () => {
      expect(maskAllButLast('🙂🙂ab🙂', 2, '•')).toBe('•••b🙂');
    });
  });

  describe('drop and non-strings', () => {
    it('drops on a drop rule whatever the value', () => {
      expect(applyRule({ field: 'SrcPortNumber', action: 'drop' }, 443, KEY)).toEqual({ action: 'drop' });
    });

    it('drops a non-string value a string rule cannot transform, rather than passing it on', () => {
      expect(applyRule({ field: 'ActorUsername', action: 'hash' }, 42, KEY)).toEqual({ action: 'drop' });
      expect(applyRule({ field: 'ActorUsername', action: 'mask', keepLast: 2, maskChar: '*' }, { a: 1 }, KEY)).toEqual({
        action: 'drop',
      });
    });
  });
});
