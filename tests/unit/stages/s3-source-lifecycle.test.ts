import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTopology } from '../../../src/config/load.js';
import { afterIngestFor, globCanMatchUnder } from '../../../src/stages/s3-source/after-ingest-config.js';
import { actionCanRetry } from '../../../src/stages/s3-source/object-actions.js';
import { progressExpires } from '../../../src/stages/s3-source/progress-retention.js';
import { type ListingState, listingKey, type ObjectProgress } from '../../../src/stages/s3-source/progress-store.js';

const base = () => parse(readFileSync('topologies/default.yaml', 'utf8')) as { source: { s3: Record<string, unknown> } };
const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('after-ingest routes', () => {
  it('knows which globs can match a key under a prefix', () => {
    expect(globCanMatchUnder('firewall/**', 'processed/')).toBe(false);
    expect(globCanMatchUnder('firewall/**', 'firewall/done/')).toBe(true);
    expect(globCanMatchUnder('firewall/**', 'fire')).toBe(true);
    expect(globCanMatchUnder('**/*.log', 'processed/')).toBe(true);
    expect(globCanMatchUnder('AWSLogs/*/CloudTrail/**', 'AWSLogs/done/')).toBe(true);
    expect(globCanMatchUnder('AWSLogs/*/CloudTrail/**', 'AWSLogs/1/Cloud/')).toBe(false);
    expect(globCanMatchUnder('AWSLogs/*/CloudTrail/**', 'archive/AWSLogs/')).toBe(false);
    expect(globCanMatchUnder('a/?/b', 'a/xy')).toBe(false);
    expect(globCanMatchUnder('a/?/b', 'a/x/')).toBe(true);
    expect(globCanMatchUnder('*.log', 'done/')).toBe(false);
  });

  it('takes the action of the first matching route', () => {
    const of = afterIngestFor([
      { match: 'firewall/**', afterIngest: { action: 'delete' } },
      { match: '**', afterIngest: { action: 'tag', tags: { a: 'b' } } },
      { match: 'auth/**' },
    ]);
    expect(of('firewall/x.log')).toEqual({ action: 'delete' });
    expect(of('auth/x.log')).toEqual({ action: 'tag', tags: { a: 'b' } });
  });

  it('refuses a move prefix a route matches, and a tag set S3 would refuse, naming the field', () => {
    const clash = base();
    clash.source.s3.routes = [
      { match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'move', prefix: 'done/' } },
      { match: '**/*.log', logType: 'auth' },
    ];
    expect(() => parseTopology(clash, 't', {})).toThrow(
      /source\.s3\.routes\.0\.afterIngest\.prefix: route "\*\*\/\*\.log" matches keys under "done\/"/,
    );
    const tooMany = base();
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    tooMany.source.s3.routes = [{ match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'tag', tags } }];
    expect(() => parseTopology(tooMany, 't', {})).toThrow(/source\.s3\.routes\.0\.afterIngest\.tags: between 1 and 10 tags/);
    const unknown = base();
    unknown.source.s3.routes = [{ match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'archive' } }];
    expect(() => parseTopology(unknown, 't', {})).toThrow(/source\.s3\.routes\.0\.afterIngest\.action/);
    const ok = base();
    ok.source.s3.routes = [{ match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'move', prefix: 'done/' } }];
    expect(parseTopology(ok, 't', {}).source.s3.routes[0]?.afterIngest).toEqual({ action: 'move', prefix: 'done/' });
  });

  it('retries throttling and 5xx; not refusals or what S3 does not implement', () => {
    expect(actionCanRetry(s3Error('SlowDown', 503))).toBe(true);
    expect(actionCanRetry(s3Error('InternalError', 500))).toBe(true);
    expect(actionCanRetry(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(actionCanRetry(s3Error('TooManyRequests', 429))).toBe(true);
    expect(actionCanRetry(s3Error('NotImplemented', 501))).toBe(false);
    expect(actionCanRetry(s3Error('AccessDenied', 403))).toBe(false);
    expect(actionCanRetry(s3Error('InvalidTag', 400))).toBe(false);
  });
});

describe('progress retention', () => {
  const DAY = 86_400_000;
  const now = Date.parse('2026-12-07T12:00:00Z');
  const config = (over: Record<string, unknown> = {}) => {
    const t = base();
    t.source.s3 = {
      ...t.source.s3,
      bucket: 'logs',
      prefix: 'firewall/',
      lookBackMs: 60_000,
      progressRetention: { finishedMs: DAY },
      ...over,
    };
    return parseTopology(t, 't', {}).source.s3;
  };
  const finished = (key: string, ageMs: number, extra: Partial<ObjectProgress> = {}): ObjectProgress => ({
    kind: 'object',
    bucket: 'logs',
    key,
    etag: 'e',
    logType: 'firewall',
    nextRecord: 3,
    done: true,
    updatedAt: new Date(now - ageMs).toISOString(),
    ...extra,
  });
  const listing = (marks: ListingState['marks']): Map<string, ListingState> =>
    new Map([
      [
        listingKey('logs', 'firewall/'),
        { kind: 'listing', bucket: 'logs', prefix: 'firewall/', watermark: 'firewall/z', marks, updatedAt: '' },
      ],
    ]);
  const floorAtM = listing([{ at: now - 120_000, key: 'firewall/m' }]);

  it('lets polled progress go only past the retention and at or below the look-back floor', () => {
    const c = config();
    expect(progressExpires(finished('firewall/a', 2 * DAY), floorAtM, c, now)).toBe(true);
    expect(progressExpires(finished('firewall/m', 2 * DAY), floorAtM, c, now)).toBe(true);
    expect(progressExpires(finished('firewall/n', 2 * DAY), floorAtM, c, now)).toBe(false); // above the floor: listed again
    expect(progressExpires(finished('firewall/a', DAY / 2), floorAtM, c, now)).toBe(false); // too young
    expect(progressExpires(finished('firewall/a', 2 * DAY), new Map(), c, now)).toBe(false); // no floor known
    // a mark younger than the look-back is not the floor yet
    expect(progressExpires(finished('firewall/a', 2 * DAY), listing([{ at: now - 1_000, key: 'firewall/m' }]), c, now)).toBe(false);
    expect(progressExpires(finished('firewall/a', 2 * DAY, { done: false }), floorAtM, c, now)).toBe(false);
  });

  it('keeps a pending action; lets moved or deleted objects, re-ingest runs and SQS-discovered objects go by time', () => {
    const c = config();
    const pending = { afterIngest: { action: 'delete' as const, state: 'pending' as const } };
    expect(progressExpires(finished('firewall/n', 2 * DAY, pending), floorAtM, c, now)).toBe(false);
    const deleted = { afterIngest: { action: 'delete' as const, state: 'done' as const, outcome: 'done' } };
    expect(progressExpires(finished('firewall/n', 2 * DAY, deleted), new Map(), c, now)).toBe(true);
    const superseded = { afterIngest: { action: 'delete' as const, state: 'done' as const, outcome: 'superseded' } };
    expect(progressExpires(finished('firewall/n', 2 * DAY, superseded), new Map(), c, now)).toBe(false);
    expect(progressExpires(finished('firewall/n', 2 * DAY, { reingestId: 'r1' }), new Map(), c, now)).toBe(true);
    const sqs = config({ discovery: 'sqs', sqs: { queueUrl: 'http://q/1/q' } });
    expect(progressExpires(finished('firewall/n', 2 * DAY), new Map(), sqs, now)).toBe(true);
    expect(progressExpires(finished('firewall/a', 2 * DAY), floorAtM, config({ progressRetention: { finishedMs: 0 } }), now)).toBe(false);
  });
});
