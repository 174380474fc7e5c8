import { describe, expect, it } from 'vitest';
import { SiemStreamError } from '../../../src/errors.js';
import { parseOffset, toTimestampMillis } from '../../../src/stages/parser/time.js';

const at = (value: unknown, options = {}) => toTimestampMillis(value, 'f', options);

describe('timestamps in the styles security logs use', () => {
  it('reads ISO 8601 / RFC 3339 with any zone style, and applies the default offset to zoneless ones', () => {
    expect(at('2026-11-01T10:00:00Z')).toBe(Date.UTC(2026, 10, 1, 10));
    expect(at('2026-11-01T10:00:00,5+05:30')).toBe(Date.UTC(2026, 10, 1, 4, 30, 0, 500));
    expect(at('2026-11-01 10:00:00.123456789 -0700')).toBe(Date.UTC(2026, 10, 1, 17, 0, 0, 123));
    expect(at('2026-11-01T10:00:00', { defaultOffsetMinutes: 60 })).toBe(Date.UTC(2026, 10, 1, 9));
    expect(at('2026-11-01')).toBe(Date.UTC(2026, 10, 1));
    expect(at('2026-11-01T10:00:00 UTC')).toBe(Date.UTC(2026, 10, 1, 10));
  });

  it('reads epoch seconds, milliseconds, microseconds and nanoseconds by magnitude', () => {
    expect(at(1_790_000_000)).toBe(1_790_000_000_000);
    expect(at('1790000000.25')).toBe(1_790_000_000_250);
    expect(at(1_790_000_000_123)).toBe(1_790_000_000_123);
    expect(at('1790000000123456')).toBe(1_790_000_000_123);
    expect(at('1790000000123456789')).toBe(1_790_000_000_123);
  });

  it('reads CLF and month-day styles, inferring a missing year from the reference', () => {
    expect(at('10/Oct/2000:13:55:36 -0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(at('Nov 01 2026 10:00:00.123 GMT+01:00')).toBe(Date.UTC(2026, 10, 1, 9, 0, 0, 123));
    const reference = Date.UTC(2027, 0, 1, 0, 5);
    expect(at('Dec 31 23:59:59', { referenceMillis: reference })).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(at('Jan  1 00:01:00', { referenceMillis: reference })).toBe(Date.UTC(2027, 0, 1, 0, 1));
  });

  it('rejects impossible dates, words and out-of-range instants with RECORD_INVALID', () => {
    for (const bad of [
      '2026-02-30T00:00:00Z',
      '2026-11-01T25:00:00Z',
      'yesterday',
      '',
      -5,
      '2026-11-01T10:00:00+25:00',
      'Foo 01 10:00:00',
      1e30,
      {},
    ]) {
      expect(() => at(bad), String(bad)).toThrow(SiemStreamError);
    }
    expect(() => at('1969-12-31T23:59:59Z')).toThrow(/between 1970 and 9999/);
  });

  it('parses zone offsets', () => {
    expect(parseOffset('Z')).toBe(0);
    expect(parseOffset('+02:00')).toBe(120);
    expect(parseOffset('-0530')).toBe(-330);
    expect(parseOffset('GMT+01:00')).toBe(60);
    expect(parseOffset('+2')).toBeUndefined();
  });
});
