import { describe, expect, it } from 'vitest';
import { brokerError, combineErrors, type KafkaProtocolError, kafkaErrorName } from '../../../src/kafka/protocol/errors.js';
import { answersInOrder, groupByTarget, resourceLabel, targetNode } from '../../../src/kafka/protocol/resources.js';
import { clientSettings, parseBroker } from '../../../src/kafka/protocol/settings.js';

describe('config resources', () => {
  it('sends a broker resource to its own node, topics and the broker defaults to any broker', () => {
    expect(targetNode('topic', '7')).toBeUndefined();
    expect(targetNode('broker', '')).toBeUndefined();
    expect(targetNode('broker', '3')).toBe(3);
    expect(() => targetNode('broker', 'kafka-1')).toThrow(/node id, not "kafka-1"/);
    const groups = groupByTarget([
      { type: 'topic', name: 'a' },
      { type: 'broker', name: '2' },
      { type: 'broker', name: '' },
      { type: 'broker', name: '2' },
    ] as const);
    expect(groups.map((g) => [g.node, g.positions])).toEqual([
      [undefined, [0, 2]],
      [2, [1, 3]],
    ]);
  });

  it('matches answers to the resources asked, whatever order the broker used', () => {
    const answers = [
      { typeId: 4, name: '1', n: 'b' },
      { typeId: 2, name: 't', n: 'a' },
    ];
    const asked = [
      { type: 'topic', name: 't' },
      { type: 'broker', name: '1' },
    ] as const;
    expect(answersInOrder('b:1', asked, answers).map((a) => a.n)).toEqual(['a', 'b']);
    expect(() => answersInOrder('b:1', [{ type: 'topic', name: '1' }], answers)).toThrow(/b:1 did not answer for topic "1"/);
  });

  it('names resources and errors so a reader knows what failed and why', () => {
    expect(resourceLabel('topic', 't')).toBe('topic "t"');
    expect(resourceLabel('broker', '1')).toBe('broker 1');
    expect(resourceLabel('broker', '')).toBe('broker defaults');
    expect(kafkaErrorName(40)).toBe('INVALID_CONFIG');
    expect(kafkaErrorName(999)).toBe('KAFKA_ERROR_999');
    const unknown = brokerError('describing the configs of topic "t"', 3, null);
    expect(unknown.message).toBe('describing the configs of topic "t" failed: UNKNOWN_TOPIC_OR_PARTITION (the topic does not exist)');
    expect(unknown).toMatchObject({ kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, code: 'KAFKA_TRANSIENT' });
    const invalid = brokerError('altering', 40, 'Invalid value abc');
    expect(invalid.message).toBe('altering failed: INVALID_CONFIG (Invalid value abc)');
    expect(invalid).toMatchObject({ retriable: false, code: 'KAFKA_FATAL' });
    expect(brokerError('x', 999).message).toBe('x failed: KAFKA_ERROR_999');
  });

  it('makes one error of several, retriable only when each is', () => {
    expect(combineErrors([])).toBeUndefined();
    const one = brokerError('a', 3);
    expect(combineErrors([one])).toBe(one);
    const both = combineErrors([one, brokerError('b', 40)]) as KafkaProtocolError;
    expect(both.message).toMatch(/^a failed: UNKNOWN_TOPIC_OR_PARTITION.*; b failed: INVALID_CONFIG/);
    expect(both.retriable).toBe(false);
  });
});

describe('client settings from the kafka config', () => {
  it('splits host:port, and refuses an address without a port', () => {
    expect(parseBroker('127.0.0.1:9092')).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(parseBroker('::1:9092')).toEqual({ host: '::1', port: 9092 });
    expect(() => parseBroker('kafka')).toThrow(/host:port/);
    expect(() => parseBroker('kafka:0')).toThrow(/host:port/);
  });

  it('names the SASL mechanism as the broker does and fills the schema defaults', () => {
    const settings = clientSettings({ brokers: ['k:1'], sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    expect(settings).toMatchObject({
      clientId: 'siem-stream',
      connectionTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    });
    expect(settings.tls).toBeUndefined();
    expect(() =>
      clientSettings({ brokers: ['k:1'], sasl: { mechanism: 'plain', username: 'u', passwordFile: '/nonexistent/pw' } }),
    ).toThrow(/kafka.sasl.passwordFile: cannot read \/nonexistent\/pw/);
  });

  it('takes OAUTHBEARER as a token source and a client certificate with its passphrase', () => {
    const settings = clientSettings({
      brokers: ['k:1'],
      sasl: { mechanism: 'oauthbearer', tokenEndpointUrl: 'https://idp/token', clientId: 'siem', clientSecret: 's' },
      ssl: { rejectUnauthorized: true, certFile: 'package.json', keyFile: 'package.json', keyPassword: 'pp' },
    });
    expect(settings.sasl).toMatchObject({ mechanism: 'OAUTHBEARER', clientId: 'siem' });
    expect(typeof (settings.sasl as { token?: unknown }).token).toBe('function');
    expect(settings.tls).toMatchObject({ rejectUnauthorized: true, passphrase: 'pp' });
    expect(settings.tls?.cert).toContain('"name": "siem-stream"');
  });
});
