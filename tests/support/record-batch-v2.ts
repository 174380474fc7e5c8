import { gzipSync } from 'node:zlib';

/**
 * Kafka's record batch v2 (https://kafka.apache.org/documentation/#recordbatch), written from the
 * spec as the oracle of the byte accounting tests: the bytes a broker compares with
 * `max.message.bytes` (the batch after its baseOffset and batchLength fields).
 */
type Bytes = Buffer | string | null | undefined;

export interface BatchRecord {
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]> | undefined;
}

/** partitionLeaderEpoch … recordCount: 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4 */
const HEADER_AFTER_LENGTH_BYTES = 49;

export function encodedBatchBytes(records: BatchRecord[], compression: 'none' | 'gzip' = 'none'): number {
  const body = Buffer.concat(records.map((r, i) => encodeRecord(r, i, 2 ** 40)));
  return HEADER_AFTER_LENGTH_BYTES + (compression === 'gzip' ? gzipSync(body).length : body.length);
}

function encodeRecord(record: BatchRecord, offsetDelta: number, timestampDelta: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), varlong(timestampDelta), varlong(offsetDelta), bytes(record.key), bytes(record.value)];
  const headers = Object.entries(record.headers ?? {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined).map((x) => [k, x ?? null] as const),
  );
  parts.push(varlong(headers.length));
  for (const [k, v] of headers) parts.push(bytes(k), bytes(v));
  const content = Buffer.concat(parts);
  return Buffer.concat([varlong(content.length), content]);
}

function bytes(value: Buffer | string | null | undefined): Buffer {
  if (value === null || value === undefined) return varlong(-1);
  const buffer = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([varlong(buffer.length), buffer]);
}

/** zigzag varint of a safe integer */
function varlong(n: number): Buffer {
  let z = n >= 0 ? BigInt(n) * 2n : BigInt(-n) * 2n - 1n;
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}
