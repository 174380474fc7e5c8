import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTopology } from '../../src/config/load.js';
import { rootLogger, sendLogsToFile } from '../../src/observability/logger.js';

describe('log redaction', () => {
  it('keeps the registry and Kafka passwords and AWS keys out of a logged topology, at any level', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'siem-redact-')), 'log.jsonl');
    sendLogsToFile(file);
    const raw = parse(readFileSync('topologies/default.yaml', 'utf8')) as Record<string, unknown>;
    const topology = parseTopology(
      {
        ...raw,
        kafka: { brokers: ['k:9093'], sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'kafka-Secret-1' } },
        schemaRegistry: { url: 'https://r:1', auth: { username: 'svc', password: 'registry-Secret-2' } },
        sinks: [
          ...(raw.sinks as unknown[]),
          {
            name: 'cloudwatch',
            type: 'cloudwatch-logs',
            region: 'eu-west-1',
            credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'aws-Secret-3', sessionToken: 'aws-Session-4' },
          },
        ],
      },
      'x.yaml',
      {},
    );
    rootLogger.level = 'debug';
    rootLogger.child({ stage: 'parser' }).debug({ topology }, 'a careless debug line');
    rootLogger.info({ schemaRegistry: topology.schemaRegistry }, 'and an info one');
    const deadline = Date.now() + 5_000;
    let text = '';
    while (Date.now() < deadline && text.split('\n').length < 3) {
      await new Promise((r) => setTimeout(r, 20));
      text = readFileSync(file, 'utf8');
    }
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, never>);
    expect(lines).toHaveLength(2);
    expect(text).not.toContain('registry-Secret-2');
    expect(text).not.toContain('kafka-Secret-1');
    expect(text).not.toContain('aws-Secret-3');
    expect(text).not.toContain('aws-Session-4');
    expect(text).not.toContain('siem-local-secret'); // source.s3.credentials of the default topology
    expect(text).toContain('"username":"svc"'); // redaction is by key, the rest of the config stays readable
    expect(lines[1]).toMatchObject({ schemaRegistry: { auth: { password: '[redacted]' } } });
  });

  it('keeps the OAUTHBEARER client secret and a client key passphrase out of a logged topology', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'siem-redact-')), 'log.jsonl');
    sendLogsToFile(file);
    const raw = parse(readFileSync('topologies/default.yaml', 'utf8')) as Record<string, unknown>;
    const sasl = { mechanism: 'oauthbearer', tokenEndpointUrl: 'https://idp/token', clientId: 'siem', clientSecret: 'oauth-Secret-3' };
    const ssl = { certFile: '/c.pem', keyFile: '/k.pem', keyPassword: 'key-Secret-4' };
    const topology = parseTopology({ ...raw, kafka: { brokers: ['k:9093'], sasl, ssl } }, 'x.yaml', {});
    rootLogger.level = 'debug';
    rootLogger.debug({ topology }, 'a careless debug line');
    rootLogger.debug({ kafka: topology.kafka }, 'another one');
    const deadline = Date.now() + 5_000;
    let text = '';
    while (Date.now() < deadline && text.split('\n').length < 3) {
      await new Promise((r) => setTimeout(r, 20));
      text = readFileSync(file, 'utf8');
    }
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).not.toContain('oauth-Secret-3');
    expect(text).not.toContain('key-Secret-4');
    expect(text).toContain('"clientId":"siem"');
  });
});
