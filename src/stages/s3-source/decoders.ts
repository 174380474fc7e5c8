import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { SiemStreamError } from '../../errors.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * An object's body as decompressed chunks. The compression is detected by magic bytes, not the
 * key name (CloudTrail's `.json.gz` and a mislabelled `.log` both happen). gzip uses Node's zlib,
 * which also reads multi-member files; zstd uses fzstd (pure JS, streaming), because Node 20's zlib
 * has no zstd (it arrives in 22.15). Corrupt compressed data throws SOURCE_OBJECT_UNREADABLE.
 */
export async function* decodeBody(body: AsyncIterable<Buffer>, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  const iterator = body[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.length < 4) {
    const next = await iterator.next();
    if (next.done) break;
    first = { done: false, value: Buffer.concat([first.value, next.value]) };
  }
  if (first.done) return;
  const head = first.value;
  async function* raw(): AsyncGenerator<Buffer> {
    onBytes?.(head.length);
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      onBytes?.(next.value.length);
      yield next.value;
    }
  }
  if (startsWith(head, GZIP_MAGIC)) yield* gunzip(raw());
  else if (startsWith(head, ZSTD_MAGIC)) yield* unzstd(raw());
  else yield* raw();
}

function startsWith(buffer: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buffer[i] === b);
}

async function* gunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzipper = createGunzip();
  // pipeline (not pipe) so a failing S3 body also ends the gunzip stream with that error
  pipeline(Readable.from(input), gunzipper, () => undefined);
  try {
    for await (const chunk of gunzipper) yield chunk as Buffer;
  } catch (error) {
    throw asCorrupt(error, 'gzip');
  }
}

async function* unzstd(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let out: Buffer[] = [];
  const decoder = new Decompress((chunk) => {
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      decoder.push(chunk, final);
    } catch (error) {
      throw asCorrupt(error, 'zstd');
    }
  };
  for await (const chunk of input) {
    push(chunk, false);
    const ready = out;
    out = [];
    yield* ready;
  }
  push(new Uint8Array(0), true);
  yield* out;
}

function asCorrupt(error: unknown, codec: string): unknown {
  const code = (error as { code?: unknown }).code;
  const zlibError = typeof code === 'string' && code.startsWith('Z_');
  if (codec === 'zstd' || zlibError) {
    return new SiemStreamError('SOURCE_OBJECT_UNREADABLE', `corrupt ${codec} data: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
