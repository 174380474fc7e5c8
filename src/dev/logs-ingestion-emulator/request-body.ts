import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

export type ReadBody = { kind: 'ok'; body: Buffer } | { kind: 'tooLarge'; bytes: number };

/**
 * Reads the body as sent (still compressed). Past the limit it keeps reading and discarding, so the
 * client has finished sending when the 413 arrives and reads it rather than a reset connection;
 * past `drainLimit` it gives up and destroys the socket.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit = 64 * limit): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
      else if (bytes > drainLimit) req.destroy(new Error(`request body over ${drainLimit} bytes; connection closed`));
    });
    req.on('end', () => resolve(bytes <= limit ? { kind: 'ok', body: Buffer.concat(chunks, bytes) } : { kind: 'tooLarge', bytes }));
    req.on('error', reject);
  });
}

export type DecodedBody =
  | { kind: 'ok'; text: string; bytes: number }
  | { kind: 'tooLarge'; limit: number }
  | { kind: 'invalid'; message: string }
  | { kind: 'unsupported'; encoding: string };

/** Undoes Content-Encoding: none/identity or gzip, the one the Logs Ingestion API takes. */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined, maxDecompressedBytes: number): Promise<DecodedBody> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return { kind: 'ok', text: body.toString('utf8'), bytes: body.length };
  if (encoding !== 'gzip') return { kind: 'unsupported', encoding };
  try {
    const plain = await gunzipAsync(body, { maxOutputLength: maxDecompressedBytes });
    return { kind: 'ok', text: plain.toString('utf8'), bytes: plain.length };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { kind: 'tooLarge', limit: maxDecompressedBytes };
    return { kind: 'invalid', message: `the body is not valid gzip: ${(err as Error).message}` };
  }
}

export type ParsedRecords = { kind: 'ok'; records: Array<Record<string, unknown>> } | { kind: 'invalid'; message: string };

/** The body must be a JSON array of objects, one per row. */
export function parseRecords(text: string): ParsedRecords {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', message: `the body is not valid JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(value)) return { kind: 'invalid', message: 'the body must be a JSON array of objects' };
  const index = value.findIndex((v) => typeof v !== 'object' || v === null || Array.isArray(v));
  if (index >= 0) return { kind: 'invalid', message: `element ${index} of the body is not a JSON object` };
  return { kind: 'ok', records: value as Array<Record<string, unknown>> };
}
