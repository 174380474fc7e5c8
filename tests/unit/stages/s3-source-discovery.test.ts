import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTopology } from '../../../src/config/load.js';
import { floorOf, pruneMarks } from '../../../src/stages/s3-source/lister.js';
import type { ListingState } from '../../../src/stages/s3-source/progress-store.js';
import { progressKey } from '../../../src/stages/s3-source/progress-store.js';
import { classifyS3Failure } from '../../../src/stages/s3-source/s3-errors.js';
import { parseNotification } from '../../../src/stages/s3-source/sqs-notification.js';

const event = (records: unknown[]) => JSON.stringify({ Records: records });
const created = (key: string, eTag = 'abc') => ({
  eventName: 'ObjectCreated:Put',
  eventTime: '2026-11-23T00:00:00Z',
  s3: { bucket: { name: 'logs' }, object: { key, eTag, size: 3 } },
});

describe('S3 event notifications', () => {
  it('reads several ObjectCreated records, decoding keys as S3 encodes them', () => {
    const n = parseNotification(
      event([created('AWSLogs/1/CloudTrail/a+b%3Dc.json.gz'), created('x/y.log', '"q"'), { eventName: 'ObjectRemoved:Delete', s3: {} }]),
    );
    expect(n).toEqual({
      kind: 'objects',
      ignored: 1,
      objects: [
        { bucket: 'logs', key: 'AWSLogs/1/CloudTrail/a b=c.json.gz', etag: 'abc', size: 3, eventTime: '2026-11-23T00:00:00Z' },
        { bucket: 'logs', key: 'x/y.log', etag: 'q', size: 3, eventTime: '2026-11-23T00:00:00Z' },
      ],
    });
  });

  it('unwraps an SNS envelope and recognises the s3:TestEvent', () => {
    const sns = JSON.stringify({ Type: 'Notification', Message: event([created('k')]) });
    expect(parseNotification(sns)).toMatchObject({ kind: 'objects', objects: [{ key: 'k' }] });
    expect(parseNotification(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }))).toEqual({ kind: 'test-event' });
    expect(parseNotification(JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Event: 's3:TestEvent' }) }))).toEqual({
      kind: 'test-event',
    });
  });

  it('calls anything else unparseable, with a reason', () => {
    expect(parseNotification('nope')).toMatchObject({ kind: 'unparseable' });
    expect(parseNotification('{"hello":1}')).toMatchObject({ kind: 'unparseable', reason: expect.stringMatching(/Records/) });
  });
});

describe('listing look-back', () => {
  const state = (marks: ListingState['marks']): ListingState => ({
    kind: 'listing',
    bucket: 'b',
    prefix: '',
    watermark: 'z',
    marks,
    updatedAt: '',
  });

  it('starts a pass at the watermark as it stood lookBack ago; before any such mark, from the start', () => {
    const marks = [
      { at: 100, key: 'a' },
      { at: 200, key: 'm' },
      { at: 300, key: 'z' },
    ];
    expect(floorOf(state(marks), 250)).toBe('m');
    expect(floorOf(state(marks), 300)).toBe('z');
    expect(floorOf(state(marks), 50)).toBeNull();
  });

  it('keeps only the newest mark before the window and the marks inside it', () => {
    const marks = [
      { at: 100, key: 'a' },
      { at: 200, key: 'm' },
      { at: 300, key: 'z' },
    ];
    expect(pruneMarks(marks, 250)).toEqual([
      { at: 200, key: 'm' },
      { at: 300, key: 'z' },
    ]);
  });
});

describe('S3 error verdicts', () => {
  const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('retries throttling, 5xx and socket errors; fails the object on access, missing key, KMS; supersedes on 412', () => {
    expect(classifyS3Failure(s3Error('SlowDown', 503))).toBe('retry');
    expect(classifyS3Failure(s3Error('InternalError', 500))).toBe('retry');
    expect(classifyS3Failure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('retry');
    expect(classifyS3Failure(s3Error('AccessDenied', 403))).toBe('object-failed');
    expect(classifyS3Failure(s3Error('NoSuchKey', 404))).toBe('object-failed');
    expect(classifyS3Failure(s3Error('KMS.AccessDeniedException', 400))).toBe('object-failed');
    expect(classifyS3Failure(s3Error('PreconditionFailed', 412))).toBe('superseded');
  });
});

describe('source config', () => {
  const base = () => parse(readFileSync('topologies/default.yaml', 'utf8')) as { source: { s3: Record<string, unknown> } };

  it('needs an sqs section for SQS discovery and a heartbeat shorter than the visibility timeout, naming the field', () => {
    const noSqs = base();
    noSqs.source.s3.discovery = 'sqs';
    expect(() => parseTopology(noSqs, 't', {})).toThrow(/source\.s3\.sqs: discovery "sqs" needs an sqs section/);
    const slow = base();
    slow.source.s3.discovery = 'sqs';
    slow.source.s3.sqs = { queueUrl: 'http://q/1/q', visibilityTimeoutSeconds: 10, heartbeatSeconds: 10 };
    expect(() => parseTopology(slow, 't', {})).toThrow(/source\.s3\.sqs\.heartbeatSeconds/);
    const badFraming = base();
    badFraming.source.s3.routes = [{ match: '**', logType: 'firewall', framing: 'xml' }];
    expect(() => parseTopology(badFraming, 't', {})).toThrow(/source\.s3\.routes\.0\.framing/);
  });

  it('keys progress by object version and re-ingest run', () => {
    expect(progressKey({ bucket: 'b', key: 'k/x', etag: 'e' })).toBe('object/b/k/x@e');
    expect(progressKey({ bucket: 'b', key: 'k/x', etag: 'e', reingestId: 'r1' })).toBe('object/b/k/x@e#r1');
  });
});
