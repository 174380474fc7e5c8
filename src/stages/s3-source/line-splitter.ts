import { RecordAssembler, type RecordItem, type SplitOptions } from './record-item.js';

const BOM = [0xef, 0xbb, 0xbf];

/**
 * One record per non-empty line. CRLF endings and a UTF-8 byte-order mark at the start of the
 * object are stripped; lines are split across chunk boundaries without copying more than a line.
 */
export async function* splitLines(input: AsyncIterable<Buffer>, options: SplitOptions): AsyncGenerator<RecordItem> {
  const line = new RecordAssembler(options);
  let first = true;
  const finish = (): RecordItem | undefined => {
    const bom = first && BOM.every((b, i) => line.peekStart(3)[i] === b) ? 3 : 0;
    first = false;
    const cr = line.lastByte() === 0x0d ? 1 : 0;
    return line.take(bom, cr);
  };
  for await (const chunk of input) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      line.append(chunk.subarray(start, nl === -1 ? chunk.length : nl));
      if (nl === -1) break;
      const item = finish();
      if (item) yield item;
      start = nl + 1;
    }
  }
  const item = finish();
  if (item) yield item;
}
