/** One record cut from an object: its bytes, or — over the size cap — its first bytes and its full size. */
export type RecordItem = { kind: 'record'; value: Buffer } | { kind: 'oversize'; head: Buffer; bytes: number };

export interface SplitOptions {
  maxRecordBytes: number;
  /** bytes of an oversized record that are kept (for its DLQ record) */
  headBytes: number;
}

/**
 * Collects one record's bytes across chunks, but never more than the cap (+4 bytes: a BOM and a CR may be trimmed, and one more tells
 * "at the cap" from "over it"): an oversized record costs no more memory than a legal one.
 */
export class RecordAssembler {
  private parts: Buffer[] = [];
  private kept = 0;
  private size = 0;

  constructor(private readonly options: SplitOptions) {}

  get bytes(): number {
    return this.size;
  }

  append(segment: Buffer): void {
    this.size += segment.length;
    const room = this.options.maxRecordBytes + 4 - this.kept;
    if (room <= 0 || segment.length === 0) return;
    const part = segment.length <= room ? segment : segment.subarray(0, room);
    this.parts.push(part);
    this.kept += part.length;
  }

  /** The record so far, with `trimEnd` bytes (a CR) removed; resets for the next record. */
  take(trimStart = 0, trimEnd = 0): RecordItem | undefined {
    const size = this.size - trimStart - trimEnd;
    const whole = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.kept = 0;
    this.size = 0;
    if (size <= 0) return undefined;
    if (size > this.options.maxRecordBytes) {
      return { kind: 'oversize', head: Buffer.from(whole.subarray(trimStart, trimStart + this.options.headBytes)), bytes: size };
    }
    return { kind: 'record', value: whole.subarray(trimStart, trimStart + size) };
  }

  peekStart(n: number): Buffer {
    return (this.parts[0] ?? Buffer.alloc(0)).subarray(0, n);
  }

  lastByte(): number | undefined {
    if (this.size === 0 || this.kept < this.size) return undefined;
    const last = this.parts[this.parts.length - 1];
    return last?.[last.length - 1];
  }
}
