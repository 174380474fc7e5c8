import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PiiConfig, piiSchema } from '../../../src/sinks/pii/config.js';
import { buildPiiPolicy } from '../../../src/sinks/pii/policy.js';
import { piiTransforms } from '../../../src/sinks/runtime/sink-metrics.js';
import { dcrColumns, toRow } from '../../../src/sinks/sentinel/columns.js';
import { checkRow, columnMap } from '../../../src/sinks/sentinel/schema-guard.js';
import { configError } from '../../support/config-error.js';
import { enrichedEventFixture } from './sink-fixtures.js';

const KEY = 'a-test-key-of-at-least-32-bytes!!';
const ENV = { PII_KEY: KEY };
const hmac = (value: string) => createHmac('sha256', KEY).update(value).digest('hex');

const pii = (raw: unknown): PiiConfig => piiSchema.parse(raw);

const topologyRules = pii({
  hashKey: { env: 'PII_KEY' },
  rules: [
    { field: 'ActorUsername', action: 'hash' },
    { field: 'SrcIpAddr', action: 'truncate', ipPrefix: {} },
    { field: 'EntityKey', action: 'hash', length: 32 },
    { field: 'AdditionalFields.email', action: 'mask', keepLast: 4 },
    { field: 'HttpUserAgent', action: 'drop' },
    { field: 'SrcPortNumber', action: 'drop' },
  ],
});

async function transformed(stage: string, field: string, action: string): Promise<number> {
  const metric = await piiTransforms.get();
  return metric.values.find((v) => v.labels.stage === stage && v.labels.field === field && v.labels.action === action)?.value ?? 0;
}

describe('PII policy', () => {
  it('applies every action, nested map keys included, to a copy of the event', async () => {
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-a' }, ['sinks', 0], ENV);
    const event = enrichedEventFixture({
      ActorUsername: 'alice',
      HttpUserAgent: 'curl/8.0',
      AdditionalFields: { email: 'alice@example.com', rule: 'allow-https' },
    });
    const original = structuredClone(event);
    const out = policy.apply(event) as unknown as Record<string, unknown>;

    expect(out.ActorUsername).toBe(hmac('alice'));
    expect(out.SrcIpAddr).toBe('10.0.0.0');
    expect(out.EntityKey).toBe(hmac('10.0.0.1').slice(0, 32));
    expect(out.AdditionalFields).toEqual({ email: '*************.com', rule: 'allow-https' });
    expect('HttpUserAgent' in out).toBe(false);
    expect('SrcPortNumber' in out).toBe(false);
    expect(out.EventId).toBe(event.EventId);
    expect(event).toEqual(original);
    expect(await transformed('policy-a', 'AdditionalFields.email', 'mask')).toBe(1);
    expect(await transformed('policy-a', 'SrcIpAddr', 'truncate')).toBe(1);
  });

  it('leaves a missing or null field alone and does not count it', async () => {
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-b' }, ['sinks', 0], ENV);
    const event = enrichedEventFixture({ ActorUsername: null, HttpUserAgent: null, AdditionalFields: {} });
    const out = policy.apply(event) as unknown as Record<string, unknown>;
    expect(out.ActorUsername).toBeNull();
    expect(out.HttpUserAgent).toBeNull();
    expect(out.AdditionalFields).toEqual({});
    expect(await transformed('policy-b', 'ActorUsername', 'hash')).toBe(0);
    expect(await transformed('policy-b', 'AdditionalFields.email', 'mask')).toBe(0);
  });

  it('counts a value it had to drop under drop, not under the configured action', async () => {
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-c' }, ['sinks', 0], ENV);
    const out = policy.apply(enrichedEventFixture({ SrcIpAddr: 'not-an-ip' })) as unknown as Record<string, unknown>;
    expect('SrcIpAddr' in out).toBe(false);
    expect(await transformed('policy-c', 'SrcIpAddr', 'drop')).toBe(1);
    expect(await transformed('policy-c', 'SrcIpAddr', 'truncate')).toBe(0);
  });

  it('gives the same output for the same input across events, so joins still work', () => {
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-d' }, ['sinks', 0], ENV);
    const a = policy.apply(enrichedEventFixture({ ActorUsername: 'bob', EventId: 'e-1' }));
    const b = policy.apply(enrichedEventFixture({ ActorUsername: 'bob', EventId: 'e-2' }));
    const c = policy.apply(enrichedEventFixture({ ActorUsername: 'carol', EventId: 'e-3' }));
    expect(a.ActorUsername).toBe(b.ActorUsername);
    expect(a.ActorUsername).not.toBe(c.ActorUsername);
  });

  it('lets a sink extend the topology rules and replace the rule of a field the topology covers', () => {
    const sinkRules = pii({
      rules: [
        { field: 'ActorUsername', action: 'mask', keepLast: 1 },
        { field: 'DstIpAddr', action: 'drop' },
      ],
    });
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-e', pii: sinkRules }, ['sinks', 0], ENV);
    const out = policy.apply(enrichedEventFixture({ ActorUsername: 'dave' })) as unknown as Record<string, unknown>;
    expect(out.ActorUsername).toBe('***e');
    expect('DstIpAddr' in out).toBe(false);
    expect(out.SrcIpAddr).toBe('10.0.0.0');
    expect(policy.describe()).toEqual({
      ActorUsername: 'mask',
      SrcIpAddr: 'truncate',
      EntityKey: 'hash',
      'AdditionalFields.email': 'mask',
      HttpUserAgent: 'drop',
      SrcPortNumber: 'drop',
      DstIpAddr: 'drop',
    });
  });

  it('uses the sink hash key over the topology one', () => {
    const other = 'another-key-of-at-least-32-bytes!!';
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-f', pii: pii({ hashKey: { env: 'OTHER' } }) }, ['sinks', 0], {
      OTHER: other,
    });
    const out = policy.apply(enrichedEventFixture({ ActorUsername: 'erin' }));
    expect(out.ActorUsername).toBe(createHmac('sha256', other).update('erin').digest('hex'));
  });

  it('leaves a row the Sentinel schema guard accepts: strings stay strings, dropped columns are absent', () => {
    const policy = buildPiiPolicy(topologyRules, { name: 'policy-g' }, ['sinks', 0], ENV);
    const columns = dcrColumns('enriched');
    const event = enrichedEventFixture({ ActorUsername: 'frank', HttpUserAgent: 'ua', AdditionalFields: { email: 'f@example.com' } });
    const row = toRow(policy.apply(event) as unknown as Record<string, unknown>, columns);
    expect(checkRow(row, columnMap(columns))).toEqual([]);
    expect(row).not.toHaveProperty('SrcPortNumber');
    expect(row.TimeGenerated).toBe('2026-11-23T09:00:00.123Z');
  });

  it('returns the event itself when there are no rules', () => {
    const policy = buildPiiPolicy(undefined, { name: 'policy-h' }, ['sinks', 0], {});
    const event = enrichedEventFixture();
    expect(policy.apply(event)).toBe(event);
  });

  describe('hash key', () => {
    it('reads the key from a file, ignoring the trailing newline', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'pii-key-')), 'key');
      writeFileSync(file, `${KEY}\n`);
      const policy = buildPiiPolicy(pii({ hashKey: { file }, rules: [{ field: 'ActorUsername', action: 'hash' }] }), { name: 'k' }, [], {});
      expect(policy.apply(enrichedEventFixture({ ActorUsername: 'gina' })).ActorUsername).toBe(hmac('gina'));
    });

    it('stops with the setting path when the environment variable is not set', () => {
      const error = configError(() => buildPiiPolicy(topologyRules, { name: 'k' }, ['sinks', 0], {}));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toBe('pii.hashKey.env: environment variable PII_KEY is not set');
    });

    it('stops with the setting path when the key file cannot be read', () => {
      const config = pii({ hashKey: { file: '/nonexistent/pii-key' }, rules: [{ field: 'ActorUsername', action: 'hash' }] });
      const error = configError(() => buildPiiPolicy(undefined, { name: 'k', pii: config }, ['sinks', 2], {}));
      expect(error.message).toBe('sinks.2.pii.hashKey.file: cannot read /nonexistent/pii-key (ENOENT)');
    });

    it('refuses a short key without showing it', () => {
      const error = configError(() => buildPiiPolicy(topologyRules, { name: 'k' }, ['sinks', 0], { PII_KEY: 'short-secret' }));
      expect(error.message).toContain('pii.hashKey.env: the key is 12 bytes, at least 32 expected');
      expect(error.message).not.toContain('short-secret');
    });

    it('does not need a key when no rule hashes', () => {
      const config = pii({ hashKey: { env: 'UNSET' }, rules: [{ field: 'ActorUsername', action: 'drop' }] });
      expect(buildPiiPolicy(config, { name: 'k' }, ['sinks', 0], {}).describe()).toEqual({ ActorUsername: 'drop' });
    });

    it('never puts the key into what it logs', () => {
      const policy = buildPiiPolicy(topologyRules, { name: 'k' }, ['sinks', 0], ENV);
      expect(JSON.stringify(policy)).not.toContain(KEY);
      expect(JSON.stringify(policy.describe())).not.toContain(KEY);
    });
  });
});
