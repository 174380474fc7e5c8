import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTopology } from '../../../src/config/load.js';
import { librdkafkaConnection } from '../../../src/kafka/rdkafka.js';
import { configError } from '../../support/config-error.js';

const rawWith = (kafka: Record<string, unknown>) => {
  const raw = parse(readFileSync('topologies/default.yaml', 'utf8')) as Record<string, unknown>;
  return { ...raw, kafka: { brokers: ['k:9093'], ...kafka } };
};
const oauth = {
  mechanism: 'oauthbearer',
  tokenEndpointUrl: 'https://idp.example/oauth2/token',
  clientId: 'siem',
  clientSecretFile: '/run/secrets/kafka-client-secret',
};

describe('kafka credentials in the topology', () => {
  it('accepts OAUTHBEARER with a client secret from the environment, and a client certificate with a key passphrase file', () => {
    const { clientSecretFile: _f, ...inline } = oauth;
    const t = parseTopology(
      rawWith({
        sasl: { ...inline, scope: 'kafka' },
        ssl: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem', keyPasswordFile: '/kp' },
      }),
      'x.yaml',
      { SIEM_STREAM__KAFKA__SASL__CLIENT_SECRET: 's3cret' },
    );
    expect(t.kafka.sasl).toMatchObject({ mechanism: 'oauthbearer', clientId: 'siem', clientSecret: 's3cret', scope: 'kafka' });
    expect(t.kafka.ssl).toMatchObject({ rejectUnauthorized: true, certFile: '/c.pem', keyFile: '/k.pem' });
  });

  it('names the field when OAUTHBEARER has both or neither secret, a plain-http endpoint, or password-login keys', () => {
    const both = configError(() => parseTopology(rawWith({ sasl: { ...oauth, clientSecret: 'x' } }), 'x.yaml', {}));
    expect(both.message).toContain('kafka.sasl: set exactly one of clientSecret and clientSecretFile');
    const { clientSecretFile: _f, ...neither } = oauth;
    expect(configError(() => parseTopology(rawWith({ sasl: neither }), 'x.yaml', {})).message).toContain(
      'kafka.sasl: set exactly one of clientSecret and clientSecretFile',
    );
    const http = configError(() => parseTopology(rawWith({ sasl: { ...oauth, tokenEndpointUrl: 'http://idp/token' } }), 'x.yaml', {}));
    expect(http.message).toContain('kafka.sasl.tokenEndpointUrl: an https:// URL');
    const mixed = configError(() => parseTopology(rawWith({ sasl: { ...oauth, username: 'u' } }), 'x.yaml', {}));
    expect(mixed.message).toMatch(/kafka.sasl: Unrecognized key.*username/);
    const unknown = configError(() => parseTopology(rawWith({ sasl: { mechanism: 'gssapi' } }), 'x.yaml', {}));
    expect(unknown.message).toMatch(/kafka.sasl.mechanism: .*'plain' \| 'scram-sha-256' \| 'scram-sha-512' \| 'oauthbearer'/);
  });

  it('names the field when a client certificate lacks its key, or a passphrase has no key or two sources', () => {
    expect(configError(() => parseTopology(rawWith({ ssl: { certFile: '/c.pem' } }), 'x.yaml', {})).message).toContain(
      'kafka.ssl.keyFile: mutual TLS needs both certFile and keyFile',
    );
    expect(configError(() => parseTopology(rawWith({ ssl: { keyPassword: 'p' } }), 'x.yaml', {})).message).toContain(
      'kafka.ssl.keyFile: a key passphrase is set but no keyFile',
    );
    const two = { certFile: '/c', keyFile: '/k', keyPassword: 'p', keyPasswordFile: '/kp' };
    expect(configError(() => parseTopology(rawWith({ ssl: two }), 'x.yaml', {})).message).toContain(
      'kafka.ssl.keyPasswordFile: set at most one of keyPassword and keyPasswordFile',
    );
  });

  it('gives librdkafka the certificate, key and passphrase, and a token callback instead of a username for OAUTHBEARER', () => {
    const dir = mkdtempSync(join(tmpdir(), 'siem-kafka-auth-'));
    writeFileSync(join(dir, 'kp'), 'pass-phrase\n');
    const t = parseTopology(
      rawWith({ sasl: oauth, ssl: { certFile: '/c.pem', keyFile: '/k.pem', keyPasswordFile: join(dir, 'kp') } }),
      'x.yaml',
      {},
    );
    const native = librdkafkaConnection(t.kafka, 'id');
    expect(native).toMatchObject({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'OAUTHBEARER',
      'ssl.certificate.location': '/c.pem',
      'ssl.key.location': '/k.pem',
      'ssl.key.password': 'pass-phrase',
    });
    expect(typeof native.oauthbearer_token_refresh_cb).toBe('function');
    expect(native['sasl.username']).toBeUndefined();
  });
});
