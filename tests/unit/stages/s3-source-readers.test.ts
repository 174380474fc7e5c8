import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compileRoutes, globToRegExp } from '../../../src/stages/s3-source/key-routes.js';
import { readLineRecords } from '../../../src/stages/s3-source/record-reader.js';

async function lines(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLineRecords(Readable.from(chunks))) out.push(line.toString());
  return out;
}

describe('line record reader', () => {
  it('splits lines across chunk boundaries and drops empty lines', async () => {
    expect(await lines([Buffer.from('a\nbb'), Buffer.from('b\n\nc'), Buffer.from('cc')])).toEqual(['a', 'bbb', 'ccc']);
  });

  it('strips CRLF endings and a UTF-8 byte-order mark', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(await lines([Buffer.concat([bom, Buffer.from('{"a":1}\r\n{"b":"é"}\r\n')])])).toEqual(['{"a":1}', '{"b":"é"}']);
  });

  it('decompresses gzip by magic bytes, including multi-member files', async () => {
    const body = Buffer.concat([gzipSync('one\ntwo\n'), gzipSync('three\n')]);
    expect(await lines([body.subarray(0, 7), body.subarray(7)])).toEqual(['one', 'two', 'three']);
  });

  it('reads an empty object as no records', async () => {
    expect(await lines([])).toEqual([]);
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

  it('takes the first matching route and ignores keys no route matches', () => {
    const route = compileRoutes([
      { match: 'firewall/**', logType: 'firewall' },
      { match: '**', logType: 'other' },
    ]);
    expect(route('firewall/2026/a.log')).toBe('firewall');
    expect(route('x/y')).toBe('other');
    expect(compileRoutes([{ match: 'auth/**', logType: 'auth' }])('firewall/a')).toBeUndefined();
  });
});
