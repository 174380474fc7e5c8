const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export interface DecodedText {
  text: string;
  /** set when the bytes were not valid UTF-8 and were read as Latin-1 (what legacy syslog writers emit) */
  encoding?: 'latin1';
}

/**
 * Record bytes as text. Invalid UTF-8 is read as Latin-1 rather than replaced, so no byte is
 * lost and the event says it happened; a UTF-8 byte-order mark and a trailing CR are dropped.
 */
export function decodeText(bytes: Buffer): DecodedText {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  let end = bytes.length;
  while (end > start && (bytes[end - 1] === 0x0d || bytes[end - 1] === 0x0a)) end--;
  const body = bytes.subarray(start, end);
  try {
    return { text: utf8.decode(body) };
  } catch {
    return { text: latin1.decode(body), encoding: 'latin1' };
  }
}
