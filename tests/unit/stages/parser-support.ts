import { loadTopology } from '../../../src/config/load.js';
import type { Topology } from '../../../src/config/schema.js';
import { SiemStreamError } from '../../../src/errors.js';
import type { RejectedRecord } from '../../../src/kafka/dlq.js';
import type { NormalizedEvent } from '../../../src/schemas/events.js';
import { RAW_HEADER } from '../../../src/schemas/raw-record.js';
import { BoundedMap } from '../../../src/stages/parser/bounded-map.js';
import { type Normalized, normalizeRecord, type ParserState } from '../../../src/stages/parser/normalize.js';

/** The default topology with one extra log type `t` of the given config. */
export function topologyWith(logType: Record<string, unknown>, parser: Record<string, unknown> = {}): Topology {
  return loadTopology('topologies/default.yaml', { env: {}, overrides: { logTypes: { t: logType }, parser } });
}

export const RECEIVED_AT = Date.UTC(2026, 10, 23, 12, 0, 0);

export function rawRecord(
  value: string | Buffer,
  options: { logType?: string; offset?: string; key?: string; headers?: Record<string, string> } = {},
): RejectedRecord {
  return {
    topic: `siem.raw.${options.logType ?? 't'}`,
    partition: 0,
    offset: options.offset ?? '1',
    timestamp: String(RECEIVED_AT),
    key: Buffer.from(`b/${options.key ?? 'k'}`),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers: {
      [RAW_HEADER.logType]: options.logType ?? 't',
      [RAW_HEADER.bucket]: 'b',
      [RAW_HEADER.key]: options.key ?? 'k',
      [RAW_HEADER.recordNumber]: options.offset ?? '1',
      ...options.headers,
    },
  };
}

export function freshState(): ParserState {
  return { layouts: new BoundedMap(100) };
}

/** A parser for one log type config: line → event, throwing the parser's error when it rejects. */
export function parserFor(logType: Record<string, unknown>, parser: Record<string, unknown> = {}) {
  const topology = topologyWith(logType, parser);
  const state = freshState();
  const run = (line: string | Buffer, options: Parameters<typeof rawRecord>[1] = {}): Normalized =>
    normalizeRecord(rawRecord(line, options), topology, state);
  return {
    topology,
    state,
    run,
    event(line: string | Buffer, options: Parameters<typeof rawRecord>[1] = {}): NormalizedEvent {
      const result = run(line, options);
      if (result.kind !== 'event') throw new Error('expected an event, got a header line');
      return result.event;
    },
    reject(line: string | Buffer, options: Parameters<typeof rawRecord>[1] = {}): SiemStreamError {
      try {
        run(line, options);
      } catch (error) {
        if (error instanceof SiemStreamError) return error;
        throw error;
      }
      throw new Error(`expected ${JSON.stringify(String(line).slice(0, 80))} to be rejected`);
    },
  };
}
