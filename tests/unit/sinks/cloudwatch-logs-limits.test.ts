import { describe, expect, it } from 'vitest';
import { SiemStreamError } from '../../../src/errors.js';
import type { EnrichedEvent } from '../../../src/schemas/events.js';
import { outcomeOfError } from '../../../src/sinks/cloudwatch-logs/aws-errors.js';
import { cloudwatchLogsSinkSchema } from '../../../src/sinks/cloudwatch-logs/config.js';
import { eventBytes, PUT_LOG_EVENTS, timestampProblem } from '../../../src/sinks/cloudwatch-logs/limits.js';
import { fillName, targetProblem } from '../../../src/sinks/cloudwatch-logs/names.js';
import { chronologicalRuns } from '../../../src/sinks/cloudwatch-logs/runs.js';

const HOUR = 3_600_000;

describe('CloudWatch Logs limits', () => {
  it('counts an event as its UTF-8 message bytes + 26', () => {
    expect(eventBytes('abc')).toBe(29);
    expect(eventBytes('é€')).toBe(2 + 3 + 26);
  });

  it('refuses timestamps more than 14 days old or 2 hours ahead, and only those', () => {
    const now = Date.UTC(2026, 11, 7, 12);
    expect(timestampProblem(now - 14 * 24 * HOUR, now)).toBeUndefined();
    expect(timestampProblem(now - 14 * 24 * HOUR - 1, now)).toMatch(/more than 14 days old/);
    expect(timestampProblem(now + 2 * HOUR, now)).toBeUndefined();
    expect(timestampProblem(now + 2 * HOUR + 1, now)).toMatch(/2 hours in the future/);
  });

  it('puts events in time order, ties in their order, and cuts a run before it spans 24 hours', () => {
    const items = [
      { id: 'c', t: 30 * HOUR },
      { id: 'a', t: 0 },
      { id: 'b1', t: 5 * HOUR },
      { id: 'b2', t: 5 * HOUR },
      { id: 'd', t: 24 * HOUR },
    ];
    const runs = chronologicalRuns(items, (i) => i.t, PUT_LOG_EVENTS.maxSpanMs).map((r) => r.map((i) => i.id));
    expect(runs).toEqual([
      ['a', 'b1', 'b2'],
      ['d', 'c'],
    ]);
  });
});

describe('CloudWatch Logs names', () => {
  const event = { EventSchema: 'NetworkSession', LogType: null } as unknown as EnrichedEvent;

  it('fills {EventSchema} and {LogType} from the event', () => {
    expect(fillName('/siem/{EventSchema}/{LogType}', event)).toBe('/siem/NetworkSession/unknown');
  });

  it('says why a name is one CloudWatch refuses', () => {
    expect(targetProblem({ group: '/siem/ok', stream: 's' })).toBeUndefined();
    expect(targetProblem({ group: '/siem/not ok', stream: 's' })).toMatch(/log group name/);
    expect(targetProblem({ group: '/siem/ok', stream: 'a:b' })).toMatch(/log stream name/);
  });

  it('rejects an unknown placeholder at config load, with the field', () => {
    const result = cloudwatchLogsSinkSchema.safeParse({ type: 'cloudwatch-logs', name: 'cw', region: 'eu-west-1', logGroup: '/x/{Nope}' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['logGroup']);
    expect(result.error?.issues[0]?.message).toMatch(/placeholders are \{EventSchema\}, \{LogType\}/);
  });
});

describe('CloudWatch Logs errors', () => {
  const error = (name: string, status?: number, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`${name} from the service`), {
      name,
      $metadata: status === undefined ? {} : { httpStatusCode: status },
      $response: { headers },
    });

  it('retries throttling, unavailability and dropped connections, honouring Retry-After', () => {
    expect(outcomeOfError(error('ThrottlingException', 400), 'put', 'cw')).toMatchObject({ kind: 'retry' });
    expect(outcomeOfError(error('ServiceUnavailableException', 503, { 'retry-after': '2' }), 'put', 'cw')).toMatchObject({
      kind: 'retry',
      retryAfterMs: 2_000,
    });
    expect(outcomeOfError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'put', 'cw')).toMatchObject({
      kind: 'retry',
    });
  });

  it('sends refused records to the DLQ and stops on bad credentials', () => {
    expect(outcomeOfError(error('InvalidParameterException', 400), 'put', 'cw')).toMatchObject({ kind: 'reject' });
    const stop = (() => {
      try {
        outcomeOfError(error('UnrecognizedClientException', 400), 'put', 'cw');
      } catch (e) {
        return e;
      }
    })();
    expect(stop).toBeInstanceOf(SiemStreamError);
    expect((stop as SiemStreamError).code).toBe('DESTINATION_MISCONFIGURED');
  });
});
