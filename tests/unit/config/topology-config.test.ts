import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyEnvOverrides } from '../../../src/config/env-overrides.js';
import { loadTopology, parseTopology } from '../../../src/config/load.js';
import { createRegistry } from '../../../src/schemas/registry-client.js';
import { configError } from '../../support/config-error.js';

const rawDefault = () => parse(readFileSync('topologies/default.yaml', 'utf8')) as Record<string, unknown>;

describe('topology loading', () => {
  it('loads the default topology with its defaults filled in', () => {
    const t = loadTopology('topologies/default.yaml', { env: {} });
    expect(t.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(t.topics.partitions).toBe(3);
    expect(t.sinks[0]?.batch.maxLatencyMs).toBe(100);
    expect(t.source.s3.maxRecordBytes).toBe(1_048_576);
  });

  it('names the field path and what was expected', () => {
    const raw = rawDefault();
    (raw.kafka as Record<string, unknown>).brokers = ['no-port'];
    (raw.parser as Record<string, unknown>).maxRecordsPerTransaction = -1;
    const error = configError(() => parseTopology(raw, 'x.yaml', {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('kafka.brokers.0: host:port');
    expect(error.message).toContain('parser.maxRecordsPerTransaction');
  });

  it('rejects unknown keys instead of ignoring them', () => {
    const raw = rawDefault();
    (raw.enricher as Record<string, unknown>).windowSize = 5;
    expect(configError(() => parseTopology(raw, 'x.yaml', {})).message).toMatch(/enricher: Unrecognized key.*windowSize/);
  });

  it('rejects a route to an undeclared log type', () => {
    const raw = rawDefault();
    ((raw.source as { s3: { routes: Array<{ logType: string }> } }).s3.routes[0] as { logType: string }).logType = 'nope';
    expect(configError(() => parseTopology(raw, 'x.yaml', {})).message).toContain(
      'source.s3.routes.0.logType: unknown log type "nope"; declared: firewall, auth,',
    );
  });

  it('rejects a field map entry that names no normalized field', () => {
    const raw = rawDefault();
    (
      (raw.logTypes as Record<string, { fieldMap: Record<string, string> }>).auth as { fieldMap: Record<string, string> }
    ).fieldMap.UserName = 'u';
    expect(configError(() => parseTopology(raw, 'x.yaml', {})).message).toContain('logTypes.auth.fieldMap.UserName');
  });

  it('requires https for the Sentinel endpoint', () => {
    const raw = rawDefault();
    ((raw.sinks as Array<Record<string, unknown>>)[0] as Record<string, unknown>).endpoint = 'http://127.0.0.1:1';
    expect(configError(() => parseTopology(raw, 'x.yaml', {})).message).toContain('sinks.0.endpoint: an https:// data collection endpoint');
  });

  it('fails clearly on a missing file', () => {
    expect(configError(() => loadTopology('topologies/nope.yaml')).message).toContain('cannot read topology file topologies/nope.yaml');
  });
});

describe('environment overrides', () => {
  it('sets nested keys case-insensitively, parses values as YAML, and indexes arrays', () => {
    const t = loadTopology('topologies/default.yaml', {
      env: {
        SIEM_STREAM__KAFKA__BROKERS: '[kafka-1:9092, kafka-2:9092]',
        SIEM_STREAM__TOPICS__PARTITIONS: '12',
        SIEM_STREAM__SINKS__0__DCR_IMMUTABLE_ID: 'dcr-123',
        SIEM_STREAM__SOURCE__S3__BUCKET: 'prod-logs',
        UNRELATED: 'x',
      },
    });
    expect(t.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(t.topics.partitions).toBe(12);
    expect(t.sinks[0]?.type === 'sentinel' && t.sinks[0].dcrImmutableId).toBe('dcr-123');
    expect(t.source.s3.bucket).toBe('prod-logs');
  });

  it('creates keys that the file does not have, camel-cased', () => {
    const out = applyEnvOverrides({ kafka: {} }, { SIEM_STREAM__KAFKA__SESSION_TIMEOUT_MS: '30000' }) as { kafka: Record<string, unknown> };
    expect(out.kafka.sessionTimeoutMs).toBe(30_000);
  });
});

describe('schemaRegistry auth and TLS', () => {
  const withRegistry = (registry: Record<string, unknown>) => ({ ...rawDefault(), schemaRegistry: registry });

  it('takes the password from the environment, and TLS verification is on unless turned off', () => {
    const t = parseTopology(withRegistry({ url: 'https://registry.example:8081', auth: { username: 'svc' }, tls: {} }), 'x.yaml', {
      SIEM_STREAM__SCHEMA_REGISTRY__AUTH__PASSWORD: '1234',
    });
    expect(t.schemaRegistry.auth).toEqual({ username: 'svc', password: '1234' }); // parsed as YAML, then a string again
    expect(t.schemaRegistry.tls?.rejectUnauthorized).toBe(true);
    const off = parseTopology(withRegistry({ url: 'https://r:1', tls: { rejectUnauthorized: false } }), 'x.yaml', {});
    expect(off.schemaRegistry.tls?.rejectUnauthorized).toBe(false);
  });

  it('takes a password file instead', () => {
    const t = parseTopology(
      withRegistry({ url: 'https://r:1', auth: { username: 'svc', passwordFile: '/run/secrets/registry' } }),
      'x',
      {},
    );
    expect(t.schemaRegistry.auth).toEqual({ username: 'svc', passwordFile: '/run/secrets/registry' });
  });

  it('names the field when auth has both or neither password source, tls is set for http, or a key is unknown', () => {
    const both = withRegistry({ url: 'https://r:1', auth: { username: 'svc', password: 'p', passwordFile: '/f' } });
    expect(configError(() => parseTopology(both, 'x.yaml', {})).message).toContain(
      'schemaRegistry.auth: set exactly one of password and passwordFile',
    );
    const neither = withRegistry({ url: 'https://r:1', auth: { username: 'svc' } });
    expect(configError(() => parseTopology(neither, 'x.yaml', {})).message).toContain('schemaRegistry.auth: set exactly one');
    const plain = withRegistry({ url: 'http://r:1', tls: { caFile: '/ca.pem' } });
    expect(configError(() => parseTopology(plain, 'x.yaml', {})).message).toContain(
      'schemaRegistry.tls: applies to an https:// url only (url is http://r:1)',
    );
    const notUrl = withRegistry({ url: 'not-a-url', tls: {} });
    expect(configError(() => parseTopology(notUrl, 'x.yaml', {})).message).toContain('schemaRegistry.url: Invalid url');
    const flat = withRegistry({ url: 'https://r:1', password: 'p' });
    expect(configError(() => parseTopology(flat, 'x.yaml', {})).message).toMatch(/schemaRegistry: Unrecognized key.*password/);
  });

  it('fails at start with the field path when the password file cannot be read', () => {
    const t = parseTopology(withRegistry({ url: 'https://r:1', auth: { username: 'svc', passwordFile: '/nonexistent/pw' } }), 'x', {});
    const error = configError(() => createRegistry(t.schemaRegistry));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('schemaRegistry.auth.passwordFile: cannot read /nonexistent/pw (ENOENT)');
  });
});
