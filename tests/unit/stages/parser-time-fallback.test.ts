import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/config/load.js';
import { RAW_HEADER } from '../../../src/schemas/raw-record.js';
import { parserFor, RECEIVED_AT } from './parser-support.js';

const LAST_MODIFIED = '2026-11-23T08:15:02.000Z';
const fromObject = { headers: { [RAW_HEADER.lastModified]: LAST_MODIFIED } };

describe('a json log type whose field map names no TimeGenerated', () => {
  it("takes the S3 object's LastModified by default, and says so in AdditionalFields", () => {
    const e = parserFor({ format: 'json', fieldMap: { SrcIpAddr: 'ip' } }).event('{"ip":"10.0.0.1","msg":"hello"}', fromObject);
    expect(e.TimeGenerated).toBe(Date.parse(LAST_MODIFIED));
    expect(e.AdditionalFields).toEqual({ msg: 'hello', TimeGeneratedSource: 'object-last-modified' });
  });

  it("takes the raw record's Kafka timestamp when told to, or when the record carries no LastModified", () => {
    const byKafka = parserFor({ format: 'json', timeFallback: 'kafka-timestamp' }).event('{"msg":"a"}', fromObject);
    expect(byKafka.TimeGenerated).toBe(RECEIVED_AT);
    expect(byKafka.AdditionalFields.TimeGeneratedSource).toBe('kafka-timestamp');
    const noHeader = parserFor({ format: 'json' }).event('{"msg":"a"}');
    expect(noHeader.TimeGenerated).toBe(RECEIVED_AT);
    expect(noHeader.AdditionalFields.TimeGeneratedSource).toBe('kafka-timestamp');
  });

  it('still dead-letters a record that lacks a TimeGenerated the field map names', () => {
    const p = parserFor({ format: 'json', fieldMap: { TimeGenerated: 'ts' } });
    expect(p.reject('{"msg":"a"}', fromObject).message).toBe('TimeGenerated: source field "ts" is missing');
  });

  it('rejects an unknown fallback at load, naming the field', () => {
    expect(() => parserFor({ format: 'json', timeFallback: 'now' })).toThrow(/logTypes\.t\.timeFallback: Invalid enum value/);
  });
});

describe('the config loader', () => {
  it('logs, once per json log type without a time mapping, which time its events take', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ base: null }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const topology = loadTopology('topologies/default.yaml', {
      env: {},
      logger,
      overrides: { logTypes: { app: { format: 'json' }, audit: { format: 'json', timeFallback: 'kafka-timestamp' } } },
    });
    expect(Object.keys(topology.logTypes)).toContain('app');
    const infos = lines.filter((l) => l.level === 30);
    expect(infos.map((l) => [l.logType, l.timeFallback])).toEqual([
      ['app', 'object-last-modified'],
      ['audit', 'kafka-timestamp'],
    ]);
    expect(infos[0]?.msg).toContain(`log type "app" maps no TimeGenerated: its events take the time of their S3 object's LastModified`);
    expect(infos[1]?.msg).toContain("their raw record's Kafka timestamp (logTypes.audit.timeFallback)");
  });
});
