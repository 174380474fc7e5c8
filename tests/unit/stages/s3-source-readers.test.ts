import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isSiemStreamError } from '../../../src/errors.js';
import { compileRouter, compileRoutes, globToRegExp } from '../../../src/stages/s3-source/key-routes.js';
import type { RecordItem } from '../../../src/stages/s3-source/record-item.js';
import { readLineRecords, readRecords } from '../../../src/stages/s3-source/record-reader.js';

async function lines(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLineRecords(Readable.from(chunks))) out.push(line.toString());
  return out;
}

async function items(chunks: Buffer[], framing: 'lines' | 'json-records', maxRecordBytes = 1_048_576): Promise<RecordItem[]> {
  const out: RecordItem[] = [];
  for await (const item of readRecords(Readable.from(chunks), framing, { maxRecordBytes, headBytes: 8 })) out.push(item);
  return out;
}

const text = (list: RecordItem[]) => list.map((i) => (i.kind === 'record' ? i.value.toString() : `<oversize ${i.bytes}: ${i.head}>`));

/** every way to cut a buffer in two, and into single bytes */
function splits(body: Buffer): Buffer[][] {
  const out: Buffer[][] = [[body], [...body].map((b) => Buffer.from([b]))];
  for (let i = 1; i < body.length; i++) out.push([body.subarray(0, i), body.subarray(i)]);
  return out;
}

describe('line record reader', () => {
  it('splits lines across chunk boundaries and drops empty lines', async () => {
    expect(await lines([Buffer.from('a\nbb'), Buffer.from('b\n\nc'), Buffer.from('cc')])).toEqual(['a', 'bbb', 'ccc']);
  });

  it('strips CRLF endings and a UTF-8 byte-order mark, wherever the chunks are cut', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const body = Buffer.concat([bom, Buffer.from('{"a":1}\r\n{"b":"é"}\r\n\r\nlast')]);
    for (const chunks of splits(body).filter((c) => c[0] && c[0].length >= 3)) {
      expect(await lines(chunks)).toEqual(['{"a":1}', '{"b":"é"}', 'last']);
    }
  });

  it('decompresses gzip by magic bytes, including multi-member files', async () => {
    const body = Buffer.concat([gzipSync('one\ntwo\n'), gzipSync('three\n')]);
    expect(await lines([body.subarray(0, 7), body.subarray(7)])).toEqual(['one', 'two', 'three']);
  });

  it('decompresses zstd by magic bytes, with several frames and CRLF (fixture made by the zstd CLI)', async () => {
    const body = readFileSync('tests/unit/stages/s3-source-fixtures/6000-lines-two-frames.log.zst');
    const chunks = Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) => body.subarray(i * 1000, (i + 1) * 1000));
    const out = await lines(chunks);
    expect(out).toHaveLength(6000);
    expect(out.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    expect(out.some((l) => l.includes('\r'))).toBe(false);
  });

  it('fails a corrupt gzip with SOURCE_OBJECT_UNREADABLE after the lines before the damage', async () => {
    const good = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n')));
    const corrupt = Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 0x55)]);
    const error = await lines([corrupt]).catch((e: unknown) => e);
    expect(isSiemStreamError(error) && error.code).toBe('SOURCE_OBJECT_UNREADABLE');
  });

  it('fails a corrupt zstd with SOURCE_OBJECT_UNREADABLE', async () => {
    const body = readFileSync('tests/unit/stages/s3-source-fixtures/6000-lines-two-frames.log.zst');
    const corrupt = Buffer.concat([body.subarray(0, 20), Buffer.alloc(500, 0x41)]);
    const error = await lines([corrupt]).catch((e: unknown) => e);
    expect(isSiemStreamError(error) && error.code).toBe('SOURCE_OBJECT_UNREADABLE');
  });

  it('reads an empty object as no records', async () => {
    expect(await lines([])).toEqual([]);
  });

  it('turns a line over the cap into one oversize item (head kept, size counted) and keeps the lines after it', async () => {
    const big = 'x'.repeat(100);
    const body = Buffer.from(`ok1\n${big}\r\nok2\n${'y'.repeat(20)}\n${'z'.repeat(21)}`);
    for (const chunks of [[body], [body.subarray(0, 10), body.subarray(10, 50), body.subarray(50)]]) {
      expect(text(await items(chunks, 'lines', 20))).toEqual([
        'ok1',
        `<oversize 101: ${'x'.repeat(8)}>`,
        'ok2',
        'y'.repeat(20),
        `<oversize 21: ${'z'.repeat(8)}>`,
      ]);
    }
  });
});

describe('JSON Records reader (CloudTrail)', () => {
  const doc = JSON.stringify({
    Records: [
      { eventName: 'A', nested: { list: [1, 2, { x: ']' }] }, s: 'quote " and \\ and , and }' },
      { eventName: 'B', empty: {} },
      [1, 2],
      'plain string',
      42,
    ],
    other: { Records: ['not these'] },
  });

  it('emits each element of the top-level Records array byte for byte, wherever the chunks are cut', async () => {
    const want = [
      '{"eventName":"A","nested":{"list":[1,2,{"x":"]"}]},"s":"quote \\" and \\\\ and , and }"}',
      '{"eventName":"B","empty":{}}',
      '[1,2]',
      '"plain string"',
      '42',
    ];
    for (const chunks of splits(Buffer.from(doc))) expect(text(await items(chunks, 'json-records'))).toEqual(want);
  });

  it('skips fields before Records, tolerates whitespace, gzip, and an empty array', async () => {
    const spaced = '{ "eventVersion": "1", "Records" : [\n  {"a":1} ,\n  {"b":2}\n ] }\n';
    expect(text(await items([gzipSync(spaced)], 'json-records'))).toEqual(['{"a":1}', '{"b":2}']);
    expect(await items([Buffer.from('{"Records":[]}')], 'json-records')).toEqual([]);
  });

  it('sends an element over the cap as oversize and keeps the ones after it', async () => {
    const body = Buffer.from(JSON.stringify({ Records: [{ a: 1 }, { big: 'b'.repeat(100) }, { c: 3 }] }));
    expect(text(await items([body], 'json-records', 50))).toEqual(['{"a":1}', '<oversize 110: {"big":">', '{"c":3}']);
  });

  it('fails a truncated document with SOURCE_OBJECT_UNREADABLE', async () => {
    const error = await items([Buffer.from('{"Records":[{"a":1},{"b":')], 'json-records').catch((e: unknown) => e);
    expect(isSiemStreamError(error) && error.code).toBe('SOURCE_OBJECT_UNREADABLE');
  });
});

describe('key routes', () => {
  it('matches ** across folders and * within one', () => {
    expect(globToRegExp('AWSLogs/*/CloudTrail/**').test('AWSLogs/123/CloudTrail/us-east-1/2026/x.json.gz')).toBe(true);
    expect(globToRegExp('AWSLogs/*/CloudTrail/**').test('AWSLogs/1/2/CloudTrail/x')).toBe(false);
    expect(globToRegExp('**/vpcflowlogs/**').test('a/b/vpcflowlogs/c.log.gz')).toBe(true);
    expect(globToRegExp('**/vpcflowlogs/**').test('vpcflowlogs/c.log.gz')).toBe(true);
    expect(globToRegExp('logs/file?.txt').test('logs/file1.txt')).toBe(true);
  });

  it('takes the first matching route, with its framing, and ignores keys no route matches', () => {
    const route = compileRoutes([
      { match: 'firewall/**', logType: 'firewall' },
      { match: '**', logType: 'other' },
    ]);
    expect(route('firewall/2026/a.log')).toBe('firewall');
    expect(route('x/y')).toBe('other');
    expect(compileRoutes([{ match: 'auth/**', logType: 'auth' }])('firewall/a')).toBeUndefined();
    const router = compileRouter([{ match: 'AWSLogs/*/CloudTrail/**', logType: 'cloudtrail', framing: 'json-records' }]);
    expect(router('AWSLogs/1/CloudTrail/x.json.gz')).toEqual({ logType: 'cloudtrail', framing: 'json-records' });
  });
});
