import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../src/sinks/retry-after.js';

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('Retry-After', () => {
  it('reads seconds, an HTTP date, and the millisecond headers Azure sends, preferring milliseconds', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3' }))).toBe(3_000);
    expect(retryAfterMs(headers({ 'retry-after': '2', 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(headers({ 'x-ms-retry-after-ms': '40' }))).toBe(40);
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    expect(retryAfterMs(headers({ 'retry-after': inTwoSeconds }))).toBeGreaterThan(500);
    expect(retryAfterMs(headers({ 'retry-after': inTwoSeconds }))).toBeLessThanOrEqual(2_000);
  });

  it('is undefined without a usable header, so the caller backs off on its own', () => {
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});
