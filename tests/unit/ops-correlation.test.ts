import { describe, expect, it } from 'vitest';
import { SiemStreamError } from '../../src/errors.js';
import { dlqMessage } from '../../src/kafka/dlq.js';
import { correlationId, correlationIdOf } from '../../src/observability/correlation.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';

describe('correlation id', () => {
  const raw = {
    [RAW_HEADER.bucket]: 'logs',
    [RAW_HEADER.key]: 'firewall/a.log.gz',
    [RAW_HEADER.recordNumber]: '42',
    [RAW_HEADER.logType]: 'firewall',
  };

  it('is the same from the raw headers, the dead-letter record and the event fields', () => {
    const id = correlationId(raw);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    const record = { topic: 't', partition: 0, offset: '7', timestamp: '0', key: null, value: Buffer.from('x'), headers: raw };
    const dead = dlqMessage(record, new SiemStreamError('RECORD_INVALID', 'bad'), 'parser');
    expect(correlationId(dead.headers as Record<string, string>)).toBe(id);
    // normalized and enriched events carry SourceBucket, SourceKey, SourceRecordNumber
    expect(correlationIdOf('logs', 'firewall/a.log.gz', 42)).toBe(id);
    expect(correlationIdOf('logs', 'firewall/a.log.gz', 43)).not.toBe(id);
  });

  it('is undefined when the headers do not say where the record came from', () => {
    expect(correlationId({ [RAW_HEADER.logType]: 'firewall' })).toBeUndefined();
  });
});
