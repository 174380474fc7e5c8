import { SiemStreamError } from '../../errors.js';
import { RecordAssembler, type RecordItem, type SplitOptions } from './record-item.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NOT_FOUND = -2;
const CLOSED = -1;
const isOpen = (c: number) => c === 0x7b || c === 0x5b;
const isClose = (c: number) => c === 0x7d || c === 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * One record per element of the top-level `"Records"` array of a JSON document (CloudTrail's
 * `{"Records":[{…},{…}]}`), cut out byte for byte by a small streaming scanner, so a document of
 * any size is never parsed or held whole. Other top-level fields are skipped. A document that ends
 * inside a string or an open bracket is truncated: SOURCE_OBJECT_UNREADABLE.
 */
export async function* splitJsonRecords(input: AsyncIterable<Buffer>, options: SplitOptions): AsyncGenerator<RecordItem> {
  const scanner = new RecordsScanner(options);
  for await (const chunk of input) yield* scanner.scan(chunk);
  scanner.end();
}

class RecordsScanner {
  private readonly element: RecordAssembler;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** bytes of a string at depth 1 (a candidate for the "Records" key) */
  private keyBytes: number[] | undefined;
  private lastString = '';
  /** depth of the Records array's elements, once found */
  private recordsDepth = NOT_FOUND;
  private active = false;

  constructor(options: SplitOptions) {
    this.element = new RecordAssembler(options);
  }

  scan(chunk: Buffer): RecordItem[] {
    const out: RecordItem[] = [];
    let start = 0;
    const cut = (end: number) => {
      this.element.append(chunk.subarray(start, end));
      const item = this.element.take();
      if (item) out.push(item);
      this.active = false;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyBytes) this.lastString = Buffer.from(this.keyBytes).toString();
          this.keyBytes = undefined;
          if (this.active && this.depth === this.recordsDepth) cut(i + 1); // a string element ends
        } else if (this.keyBytes && this.keyBytes.length <= 16) this.keyBytes.push(c);
        continue;
      }
      if (!this.active && this.depth === this.recordsDepth && !isSpace(c) && c !== COMMA && !isClose(c)) {
        this.active = true;
        start = i;
      }
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1 && this.recordsDepth === NOT_FOUND) this.keyBytes = [];
      } else if (isOpen(c)) {
        this.depth++;
        if (this.depth === 2 && this.recordsDepth === NOT_FOUND && c === 0x5b && this.lastString === 'Records') this.recordsDepth = 2;
      } else if (isClose(c)) {
        if (this.active && this.depth === this.recordsDepth) cut(i); // a scalar ended by "]"
        this.depth--;
        if (this.recordsDepth > 0 && this.depth < this.recordsDepth) this.recordsDepth = CLOSED;
        else if (this.active && this.depth === this.recordsDepth) cut(i + 1); // an object or array element ends
      } else if (c === COMMA && this.active && this.depth === this.recordsDepth) {
        cut(i); // a scalar ended by ","
      } else if (this.depth === 1 && c !== COMMA && c !== 0x3a && !isSpace(c)) {
        this.lastString = '';
      }
    }
    if (this.active) this.element.append(chunk.subarray(start));
    return out;
  }

  end(): void {
    if (this.inString || this.depth !== 0) {
      throw new SiemStreamError('SOURCE_OBJECT_UNREADABLE', 'truncated JSON document: it ends inside a string or an open bracket');
    }
  }
}
