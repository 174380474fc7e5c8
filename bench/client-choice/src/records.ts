/**
 * The bench's records: value = a 10-digit input id, '|', filler, VALUE_BYTES in all; the hop's
 * output keeps the id in front, so every output record names its input and can be counted.
 */
import { VALUE_BYTES } from './settings.js';

const ID_DIGITS = 10;
const FILLER = 'src=10.1.2.3 dst=192.168.7.9 dport=443 proto=tcp action=allow user=alice@example.org app=ssl bytes=18233 '.repeat(3);

export function inputValue(id: number): Buffer {
  const head = `${String(id).padStart(ID_DIGITS, '0')}|`;
  return Buffer.from(head + FILLER.slice(0, VALUE_BYTES - head.length));
}

export function inputKey(id: number): Buffer {
  return Buffer.from(`host-${id % 997}`);
}

export function idOf(value: Buffer | null | undefined): number {
  if (!value || value.length < ID_DIGITS) return -1;
  return Number(value.subarray(0, ID_DIGITS).toString('latin1'));
}

const SUFFIX = Buffer.from('|hop');
/** the "transform": enough to make a new record, cheap enough not to hide the client's cost */
export function transform(value: Buffer): Buffer {
  return Buffer.concat([value, SUFFIX]);
}
