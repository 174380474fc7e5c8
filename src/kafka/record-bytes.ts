/**
 * Byte accounting for Kafka writes, independent of the client library: the broker refuses a
 * record batch larger than the topic's `max.message.bytes` (MESSAGE_TOO_LARGE, not retriable), and
 * a client sends each partition's records of one request as one batch, so a writer has to close
 * its chunks on bytes before the broker does it for it.
 *
 * The estimate is an upper bound of Kafka's record format v2 (KIP-98): every varint is counted at
 * its largest width (5 bytes, 10 for the timestamp delta), so the real encoding is never larger.
 * On top of that a chunk keeps `COMPRESSION_MARGIN` of the limit free — a compressed batch of
 * incompressible bytes grows by the codec's framing (gzip: 18 bytes + 5 per 16 KiB block) — and
 * one batch header per chunk.
 */

/** baseOffset, length, leader epoch, magic, crc, attributes, last offset delta, timestamps, producer id/epoch, base sequence, count */
export const BATCH_HEADER_BYTES = 61;
/** length, attributes, timestamp delta, offset delta, key length, value length, header count — each at its widest */
const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
/** key length and value length of one header */
const HEADER_OVERHEAD_BYTES = 5 + 5;
/** share of the limit left free for compression framing */
export const COMPRESSION_MARGIN = 0.01;

export type Bytes = Buffer | string | null | undefined;

/** The parts of a record that take bytes on the wire, whatever client sends it. */
export interface SizedRecord {
  key?: Bytes;
  value: Bytes;
  headers?: Record<string, Bytes | Bytes[]> | undefined;
}

function byteLength(bytes: Bytes): number {
  if (bytes === null || bytes === undefined) return 0;
  return typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
}

/** An upper bound of the record's size inside a v2 record batch. */
export function recordBytes(record: SizedRecord): number {
  let size = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) size += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + byteLength(one);
  }
  return size;
}

/** What the records of one chunk may add up to under a batch limit (`max.message.bytes`). */
export function chunkBudget(limitBytes: number): number {
  return Math.floor(limitBytes * (1 - COMPRESSION_MARGIN)) - BATCH_HEADER_BYTES;
}

/**
 * Counts a chunk's bytes against its budget. `reserve` is kept free for records that are always
 * added at the end (a progress record). A record that does not fit an empty chunk never will.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    readonly limitBytes: number,
    private readonly reserve = 0,
  ) {
    if (this.capacity <= 0) throw new RangeError(`a chunk limit of ${limitBytes} bytes leaves no room for records`);
  }

  /** bytes available to records in an empty chunk */
  get capacity(): number {
    return chunkBudget(this.limitBytes) - this.reserve;
  }

  get bytes(): number {
    return this.used;
  }

  fits(bytes: number): boolean {
    return this.used + bytes <= this.capacity;
  }

  /** Whether a record of this size fits a chunk on its own. */
  fitsAlone(bytes: number): boolean {
    return bytes <= this.capacity;
  }

  add(bytes: number): void {
    this.used += bytes;
  }

  reset(): void {
    this.used = 0;
  }
}
