import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Streams an object's body as records, one per non-empty line, without holding the object in
 * memory. Gzip (including multi-member files) is detected by its magic bytes, not the key name.
 * CRLF endings and a UTF-8 byte-order mark are stripped.
 */
export async function* readLineRecords(body: Readable): AsyncGenerator<Buffer> {
  const decoded = await decodeIfGzipped(body);
  let pending: Buffer = Buffer.alloc(0);
  let first = true;
  for await (const chunk of decoded) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let start = 0;
    for (let nl = pending.indexOf(0x0a, start); nl !== -1; nl = pending.indexOf(0x0a, start)) {
      const line = trimLine(pending.subarray(start, nl), first);
      first = false;
      start = nl + 1;
      if (line.length > 0) yield Buffer.from(line);
    }
    pending = pending.subarray(start);
  }
  const last = trimLine(pending, first);
  if (last.length > 0) yield Buffer.from(last);
}

function trimLine(line: Buffer, first: boolean): Buffer {
  let start = 0;
  let end = line.length;
  if (first && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) start = 3;
  if (end > start && line[end - 1] === 0x0d) end--;
  return line.subarray(start, end);
}

async function decodeIfGzipped(body: Readable): Promise<AsyncIterable<Buffer>> {
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return Readable.from([]);
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const gzipped = first.value[0] === GZIP_MAGIC[0] && first.value[1] === GZIP_MAGIC[1];
  return gzipped ? Readable.from(all(), { objectMode: false }).pipe(createGunzip()) : all();
}
