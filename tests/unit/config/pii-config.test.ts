import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTopology } from '../../../src/config/load.js';
import { SiemStreamError } from '../../../src/errors.js';

const rawDefault = () => parse(readFileSync('topologies/default.yaml', 'utf8')) as Record<string, unknown>;

function withPii(topologyPii: unknown, sinkPii?: unknown): Record<string, unknown> {
  const raw = rawDefault();
  raw.sinks = (raw.sinks as object[]).slice(0, 1); // the events' sink alone: a rule's key must reach every sink
  if (topologyPii !== undefined) raw.pii = topologyPii;
  if (sinkPii !== undefined) (raw.sinks as Array<Record<string, unknown>>)[0] = { ...(raw.sinks as object[])[0], pii: sinkPii };
  return raw;
}

function configMessage(raw: unknown): string {
  try {
    parseTopology(raw, 'x.yaml', {});
  } catch (error) {
    if (error instanceof SiemStreamError && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('PII config', () => {
  it('loads topology and sink rules with their defaults', () => {
    const t = parseTopology(
      withPii(
        {
          hashKey: { env: 'SIEM_STREAM_PII_KEY' },
          rules: [
            { field: 'SrcIpAddr', action: 'truncate', ipPrefix: {} },
            { field: 'AdditionalFields.email', action: 'mask' },
          ],
        },
        { rules: [{ field: 'ActorUsername', action: 'hash', length: 16 }] },
      ),
      'x.yaml',
      {},
    );
    expect(t.pii?.rules).toEqual([
      { field: 'SrcIpAddr', action: 'truncate', ipPrefix: { ipv4: 24, ipv6: 48 } },
      { field: 'AdditionalFields.email', action: 'mask', keepLast: 4, maskChar: '*' },
    ]);
    expect(t.sinks[0]?.pii?.rules).toEqual([{ field: 'ActorUsername', action: 'hash', length: 16 }]);
  });

  it('rejects an unknown action with its path', () => {
    expect(configMessage(withPii({ rules: [{ field: 'SrcIpAddr', action: 'encrypt' }] }))).toMatch(
      /pii\.rules\.0\.action: Invalid discriminator value\. Expected 'hash' \| 'truncate' \| 'mask' \| 'drop'/,
    );
  });

  it('rejects a hash rule no key covers, at the rule', () => {
    expect(configMessage(withPii(undefined, { rules: [{ field: 'ActorUsername', action: 'hash' }] }))).toContain(
      'sinks.0.pii.rules.0.action: a hash rule needs pii.hashKey (env or file), at the topology or on the sink',
    );
    expect(configMessage(withPii({ rules: [{ field: 'ActorUsername', action: 'hash' }] }))).toContain('pii.rules.0.action: a hash rule');
  });

  it('accepts a topology hash rule when the sink brings the key', () => {
    const t = parseTopology(
      withPii({ rules: [{ field: 'ActorUsername', action: 'hash' }] }, { hashKey: { file: '/run/secrets/pii' } }),
      'x',
      {},
    );
    expect(t.sinks[0]?.pii?.hashKey).toEqual({ file: '/run/secrets/pii' });
  });

  it('rejects a key source with both or neither of env and file', () => {
    expect(configMessage(withPii({ hashKey: { env: 'A', file: '/k' } }))).toContain('pii.hashKey: set exactly one of env and file');
    expect(configMessage(withPii({ hashKey: {} }))).toContain('pii.hashKey: set exactly one of env and file');
    expect(configMessage(withPii({ hashKey: { env: 'not a name' } }))).toContain('pii.hashKey.env: an environment variable name');
  });

  it.each([
    ['NoSuchField', 'hash', 'unknown field "NoSuchField"; rules name fields of the enriched event'],
    ['SrcIpAddr.octet', 'drop', '"SrcIpAddr" has no nested fields; only a map field (e.g. AdditionalFields.<key>) takes a key'],
    ['AdditionalFields.', 'drop', '"AdditionalFields.": name the map key after the dot'],
    ['EventId', 'hash', '"EventId" cannot be transformed: it makes a redelivery recognisable downstream'],
    ['EventSchema', 'mask', '"EventSchema" cannot be transformed: it routes the event to its stream'],
    ['TimeGenerated', 'drop', '"TimeGenerated" cannot be transformed'],
    [
      'SrcPortNumber',
      'hash',
      '"SrcPortNumber" is an int field: hash applies to string fields only, so the result still fits the column; drop it instead',
    ],
    ['EventStartTime', 'mask', '"EventStartTime" is a timestamp-millis field: mask applies to string fields only'],
    [
      'AdditionalFields',
      'hash',
      '"AdditionalFields" is a map: hash applies to string fields only, so the result still fits the column; drop it instead, or name one key (AdditionalFields.<key>)',
    ],
    ['EntityKey', 'drop', '"EntityKey" is required by the event model and cannot be dropped; hash, truncate or mask it instead'],
  ])('rejects %s with %s, naming the rule field', (field, action, message) => {
    const rule = action === 'truncate' ? { field, action, length: 3 } : { field, action };
    expect(configMessage(withPii({ hashKey: { env: 'K' }, rules: [rule] }))).toContain(`pii.rules.0.field: ${message}`);
  });

  it('rejects a truncate rule with both or neither of length and ipPrefix', () => {
    expect(configMessage(withPii({ rules: [{ field: 'SrcIpAddr', action: 'truncate' }] }))).toContain(
      'pii.rules.0: set exactly one of length and ipPrefix',
    );
    expect(configMessage(withPii({ rules: [{ field: 'SrcIpAddr', action: 'truncate', length: 4, ipPrefix: {} }] }))).toContain(
      'pii.rules.0: set exactly one of length and ipPrefix',
    );
  });

  it('rejects out-of-range lengths and prefixes, a two-character mask and a key another action does not take', () => {
    const message = configMessage(
      withPii(undefined, {
        hashKey: { env: 'K' },
        rules: [
          { field: 'ActorUsername', action: 'hash', length: 8 },
          { field: 'SrcIpAddr', action: 'truncate', ipPrefix: { ipv6: 129 } },
          { field: 'TargetUsername', action: 'mask', maskChar: '**' },
          { field: 'DstIpAddr', action: 'drop', keepLast: 2 },
        ],
      }),
    );
    expect(message).toContain('sinks.0.pii.rules.0.length: Number must be greater than or equal to 16');
    expect(message).toContain('sinks.0.pii.rules.1.ipPrefix.ipv6: Number must be less than or equal to 128');
    expect(message).toContain('sinks.0.pii.rules.2.maskChar: one character');
    expect(message).toContain("sinks.0.pii.rules.3: Unrecognized key(s) in object: 'keepLast'");
  });

  it('rejects a second rule for the same field', () => {
    const message = configMessage(
      withPii({
        rules: [
          { field: 'ActorUsername', action: 'drop' },
          { field: 'ActorUsername', action: 'mask' },
        ],
      }),
    );
    expect(message).toContain('pii.rules.1.field: "ActorUsername" has a rule already');
  });

  it('accepts dropping a nullable field and a map, and masking a non-nullable string', () => {
    const t = parseTopology(
      withPii({
        rules: [
          { field: 'SrcPortNumber', action: 'drop' },
          { field: 'AdditionalFields', action: 'drop' },
          { field: 'SourceKey', action: 'mask', keepLast: 0 },
          { field: 'AdditionalFields.a.b', action: 'truncate', length: 2 },
        ],
      }),
      'x',
      {},
    );
    expect(t.pii?.rules.map((r) => r.field)).toEqual(['SrcPortNumber', 'AdditionalFields', 'SourceKey', 'AdditionalFields.a.b']);
  });
});

describe('PII examples', () => {
  it('the example in docs/privacy.md is valid', () => {
    const doc = readFileSync('docs/privacy.md', 'utf8');
    const example = parse(/```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '') as {
      pii: unknown;
      sinks: Array<{ pii?: unknown }>;
    };
    const t = parseTopology(withPii(example.pii, example.sinks[1]?.pii), 'docs/privacy.md', {});
    expect(t.pii?.rules.length).toBeGreaterThan(0);
    expect(t.sinks[0]?.pii?.rules.map((r) => r.field)).toEqual(['SrcIpAddr', 'DstIpAddr']);
  });

  it('the commented example in topologies/default.yaml is valid', () => {
    const text = readFileSync('topologies/default.yaml', 'utf8');
    const block = /^# pii:\n(?:#.*\n)+/m.exec(text)?.[0] ?? '';
    const uncommented = block.replace(/^# ?/gm, '');
    const t = parseTopology(withPii((parse(uncommented) as { pii: unknown }).pii), 'topologies/default.yaml', {});
    expect(t.pii?.hashKey).toEqual({ env: 'SIEM_STREAM_PII_KEY' });
    expect(t.pii?.rules.map((r) => r.action)).toEqual(['hash', 'hash', 'truncate', 'mask', 'drop']);
  });
});
