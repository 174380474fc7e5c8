import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compressionFor } from '../../../src/config/compression.js';
import { parseTopology } from '../../../src/config/load.js';
import { configError } from '../../support/config-error.js';

const rawDefault = () => parse(readFileSync('topologies/default.yaml', 'utf8')) as Record<string, unknown>;

describe('topics.compression', () => {
  it('defaults raw topics to gzip and everything else to none', () => {
    const t = parseTopology(rawDefault(), 'x.yaml', {});
    expect(compressionFor(t.topics.compression, 'siem.', 'siem.raw.alb')).toBe('gzip');
    expect(compressionFor(t.topics.compression, 'siem.', 'siem.events.normalized')).toBe('none');
    expect(compressionFor(t.topics.compression, 'siem.', 'siem.dlq.s3-source')).toBe('none');
  });

  it('takes an exact topic over a pattern and a longer pattern over a shorter one', () => {
    const settings = { 'raw.*': 'gzip', 'raw.cloud*': 'none', 'raw.alb': 'none', 'dlq.*': 'gzip' } as const;
    expect(compressionFor(settings, 'p.', 'p.raw.alb')).toBe('none');
    expect(compressionFor(settings, 'p.', 'p.raw.cloudtrail')).toBe('none');
    expect(compressionFor(settings, 'p.', 'p.raw.vpcflow')).toBe('gzip');
    expect(compressionFor(settings, 'p.', 'p.dlq.parser')).toBe('gzip');
  });

  it('refuses codecs Kafka does not have, and bad topic patterns, with the field path', () => {
    const raw = rawDefault();
    (raw.topics as Record<string, unknown>).compression = { 'raw.*': 'brotli', 'raw.a*b': 'gzip' };
    const message = configError(() => parseTopology(raw, 'x.yaml', {})).message;
    expect(message).toContain('topics.compression.raw.*: one of none, gzip, snappy, lz4, zstd');
    expect(message).toMatch(/topics\.compression\.raw\.a\*b.*topic name without the prefix/);
  });

  it('validates source.s3.maxChunkBytes at load', () => {
    const raw = rawDefault();
    (raw.source as { s3: Record<string, unknown> }).s3.maxChunkBytes = 1_000;
    expect(configError(() => parseTopology(raw, 'x.yaml', {})).message).toContain('source.s3.maxChunkBytes');
  });
});
