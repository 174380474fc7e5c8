import { describe, expect, it } from 'vitest';
import { offsetFor, parseIsoDuration, parseOffsetSpec, parseReplayTarget } from '../../src/ops/replay-target.js';

describe('replay targets', () => {
  it('reads ISO 8601 durations in weeks, days, hours, minutes and seconds', () => {
    expect(parseIsoDuration('P1D')).toBe(86_400_000);
    expect(parseIsoDuration('PT6H')).toBe(21_600_000);
    expect(parseIsoDuration('P1DT12H30M')).toBe(86_400_000 + 12 * 3_600_000 + 30 * 60_000);
    expect(parseIsoDuration('PT1.5S')).toBe(1_500);
    expect(parseIsoDuration('P2W')).toBe(14 * 86_400_000);
    for (const bad of ['P', 'PT', '1D', 'P1M', 'P1Y', 'PT1D', 'P1DT'])
      expect(() => parseIsoDuration(bad), bad).toThrow(/ISO 8601 duration/);
  });

  it('turns --by-duration into a time before now, and needs exactly one target', () => {
    expect(parseReplayTarget({ byDuration: 'PT1H' }, 10_000_000)).toEqual({ kind: 'datetime', timestampMs: 10_000_000 - 3_600_000 });
    expect(parseReplayTarget({ toDatetime: '2026-11-22T00:00:00Z' })).toEqual({ kind: 'datetime', timestampMs: Date.UTC(2026, 10, 22) });
    expect(parseReplayTarget({ toEarliest: true })).toEqual({ kind: 'earliest' });
    expect(() => parseReplayTarget({})).toThrow(/exactly one/);
    expect(() => parseReplayTarget({ toEarliest: true, byDuration: 'P1D' })).toThrow(/exactly one/);
    expect(() => parseReplayTarget({ toDatetime: 'yesterday' })).toThrow(/ISO 8601 date-time/);
  });

  it('resolves offset specs most specific first', () => {
    const spec = parseOffsetSpec('100,2=50,siem.raw.auth:2=7');
    expect(offsetFor(spec, 'siem.raw.auth', 2)).toBe(7n);
    expect(offsetFor(spec, 'siem.raw.firewall', 2)).toBe(50n);
    expect(offsetFor(spec, 'siem.raw.firewall', 0)).toBe(100n);
    expect(offsetFor(parseOffsetSpec('1=5'), 'x', 0)).toBeUndefined();
    expect(() => parseOffsetSpec('-3')).toThrow(/is not N/);
  });
});
