import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/config/load.js';
import { SiemStreamError } from '../../../src/errors.js';
import type { InputRecord } from '../../../src/kafka/transactional-loop.js';
import { deterministicEventId, sourceEventId } from '../../../src/schemas/event-id.js';
import type { NormalizedEvent } from '../../../src/schemas/events.js';
import { RAW_HEADER } from '../../../src/schemas/raw-record.js';
import { BoundedMap } from '../../../src/stages/parser/bounded-map.js';
import { normalizeRecord } from '../../../src/stages/parser/normalize.js';

const topology = loadTopology('topologies/default.yaml', { env: {} });

function normalize(record: InputRecord, t: typeof topology): NormalizedEvent {
  const result = normalizeRecord(record, t, { layouts: new BoundedMap(10) });
  if (result.kind !== 'event') throw new Error('expected an event');
  return result.event;
}

function raw(logType: string, value: unknown, offset = '7'): InputRecord {
  const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return {
    topic: `siem.raw.${logType}`,
    partition: 1,
    offset,
    timestamp: '0',
    key: Buffer.from('b/k'),
    value: bytes,
    headers: { [RAW_HEADER.logType]: logType, [RAW_HEADER.bucket]: 'b', [RAW_HEADER.key]: 'k', [RAW_HEADER.recordNumber]: '3' },
    message: {} as InputRecord['message'],
  };
}

function rejection(record: InputRecord): SiemStreamError {
  try {
    normalize(record, topology);
  } catch (error) {
    if (error instanceof SiemStreamError) return error;
    throw error;
  }
  throw new Error('expected the record to be rejected');
}

describe('JSON parser into the normalized model', () => {
  it('maps a firewall record through its field map, keeping the rest in AdditionalFields', () => {
    const event = normalize(
      raw('firewall', {
        id: 'f1',
        ts: '2026-11-01T10:00:00Z',
        src: { ip: '10.0.0.5', port: 5555 },
        dst: { ip: '192.0.2.1', port: 443 },
        proto: 'tcp',
        action: 'deny',
        bytes: 42,
        rule: 'r-1',
      }),
      topology,
    );
    expect(event).toMatchObject({
      EventSchema: 'NetworkSession',
      TimeGenerated: Date.parse('2026-11-01T10:00:00Z'),
      SrcIpAddr: '10.0.0.5',
      SrcPortNumber: 5555,
      DstPortNumber: 443,
      NetworkProtocol: 'TCP',
      DvcAction: 'deny',
      EventResult: 'Failure',
      SrcBytes: 42,
      EventOriginalUid: 'f1',
      EntityKey: 'SrcIpAddr:10.0.0.5',
      EventProduct: 'Edge Firewall',
      SourceBucket: 'b',
      SourceKey: 'k',
      SourceRecordNumber: 3,
      AdditionalFields: { rule: 'r-1' },
    });
    expect(event.EventId).toBe(deterministicEventId('siem.raw.firewall', 1, '7'));
  });

  it('keys authentication events by user and reads epoch seconds', () => {
    const event = normalize(
      raw('auth', { id: 'a', time: 1_790_000_000, event: 'Logon', outcome: 'failure', user: 'alice', client_ip: '198.51.100.7' }),
      topology,
    );
    expect(event.TimeGenerated).toBe(1_790_000_000_000);
    expect(event.EntityKey).toBe('ActorUsername:alice');
    expect(event.EventType).toBe('Logon');
    expect(event.EventResult).toBe('Failure');
  });

  it('rejects bad input with a code and a message naming the field', () => {
    expect(rejection(raw('firewall', '{"broken'))).toMatchObject({ code: 'RECORD_UNPARSEABLE' });
    expect(rejection(raw('firewall', '[1,2]')).message).toContain('expected a JSON object, got an array');
    expect(rejection(raw('firewall', { ts: 'x', src: { ip: '10.0.0.1' } })).message).toContain('TimeGenerated: expected a timestamp');
    expect(rejection(raw('firewall', { ts: '2026-11-01T00:00:00Z', src: { ip: '10.0.0.999' } })).message).toContain(
      'SrcIpAddr: expected an IPv4 or IPv6 address, got "10.0.0.999"',
    );
    expect(rejection(raw('firewall', { ts: '2026-11-01T00:00:00Z', dst: { port: 70000 } })).message).toContain(
      'DstPortNumber: expected a port number',
    );
    expect(rejection(raw('auth', { user: 'x' })).message).toContain('TimeGenerated: source field "time" is missing');
    expect(rejection(raw('auth', { time: 1, outcome: 'maybe' })).code).toBe('RECORD_INVALID');
    expect(rejection(raw('nope', {})).message).toContain('unknown log type header "nope"');
    for (const name of ['constructor', 'toString', '__proto__'])
      expect(rejection(raw(name, {})).message).toContain(`unknown log type header "${name}"`);
  });

  it('derives the same EventId for the same coordinates only', () => {
    const id = deterministicEventId('t', 0, '1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId('t', 0, '1')).toBe(id);
    expect(deterministicEventId('t', 0, '2')).not.toBe(id);
    expect(deterministicEventId('t', 1, '1')).not.toBe(id);
  });

  it('derives the EventId from the S3 position, so a copy written at another offset carries the same id', () => {
    const fromS3 = (offset: string, extra: Record<string, string> = {}) => {
      const record = raw('firewall', { ts: '2026-11-01T00:00:00Z', src: { ip: '10.0.0.1' } }, offset);
      return { ...record, headers: { ...record.headers, [RAW_HEADER.etag]: 'e1', ...extra } };
    };
    const first = normalize(fromS3('7'), topology).EventId;
    expect(normalize(fromS3('9000'), topology).EventId).toBe(first);
    expect(first).toBe(sourceEventId({ bucket: 'b', key: 'k', etag: 'e1', recordNumber: '3' }));
    expect(normalize(fromS3('7', { [RAW_HEADER.etag]: 'e2' }), topology).EventId).not.toBe(first);
    expect(normalize(fromS3('7', { [RAW_HEADER.reingestId]: 'r1' }), topology).EventId).not.toBe(first);
    expect(normalize(fromS3('7', { [RAW_HEADER.recordNumber]: '4' }), topology).EventId).not.toBe(first);
  });
});
