import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, Encoder, MalformedResponseError } from '../../../src/kafka/protocol/codec.js';

const hex = (encoder: Encoder) => encoder.finish().toString('hex');

describe('Kafka primitive types', () => {
  it('writes unsigned varints as the protocol spells them', () => {
    const varint = (n: number) => hex(new Encoder(true).unsignedVarint(n));
    expect(varint(0)).toBe('00');
    expect(varint(127)).toBe('7f');
    expect(varint(128)).toBe('8001');
    expect(varint(300)).toBe('ac02');
    expect(varint(0xffffffff)).toBe('ffffffff0f');
    expect(() => varint(-1)).toThrow(RangeError);
  });

  it('reads back every unsigned 32-bit varint it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const decoder = new Decoder(new Encoder(true).unsignedVarint(n).finish(), true);
        expect(decoder.unsignedVarint()).toBe(n);
        decoder.end();
      }),
    );
  });

  it('writes classic strings with an int16 length, -1 for null', () => {
    expect(hex(new Encoder(false).string('ab'))).toBe('00026162');
    expect(hex(new Encoder(false).nullableString(null))).toBe('ffff');
    expect(hex(new Encoder(false).string(''))).toBe('0000');
  });

  it('writes compact strings with length + 1 as a varint, 0 for null', () => {
    expect(hex(new Encoder(true).string('ab'))).toBe('036162');
    expect(hex(new Encoder(true).nullableString(null))).toBe('00');
    expect(hex(new Encoder(true).string(''))).toBe('01');
  });

  it('writes arrays and bytes with int32 lengths, or compact ones in flexible versions', () => {
    const int16s = (e: Encoder, items: number[] | null) => e.nullableArray(items, (n) => e.int16(n));
    expect(hex(int16s(new Encoder(false), [1, 2]))).toBe('0000000200010002');
    expect(hex(int16s(new Encoder(false), null))).toBe('ffffffff');
    expect(hex(int16s(new Encoder(true), [1, 2]))).toBe('0300010002');
    expect(hex(int16s(new Encoder(true), null))).toBe('00');
    expect(hex(new Encoder(false).bytes(Buffer.from('hi')))).toBe('000000026869');
    expect(hex(new Encoder(true).bytes(Buffer.from('hi')))).toBe('036869');
  });

  it('writes an empty tagged-field section only in flexible versions', () => {
    expect(hex(new Encoder(true).int8(1).taggedFields())).toBe('0100');
    expect(hex(new Encoder(false).int8(1).taggedFields())).toBe('01');
  });

  it('round-trips strings (UTF-8, null, long enough to grow the buffer) and nested arrays in both encodings', () => {
    const value = fc.record({
      name: fc.string({ unit: 'grapheme', maxLength: 400 }),
      note: fc.option(fc.string(), { nil: null }),
      numbers: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 50 }),
      flag: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(value, { maxLength: 20 }), fc.boolean(), (items, flexible) => {
        const encoder = new Encoder(flexible);
        encoder.array(items, (item) => {
          encoder.string(item.name).nullableString(item.note).bool(item.flag);
          encoder.array(item.numbers, (n) => encoder.int32(n));
          encoder.taggedFields();
        });
        const decoder = new Decoder(encoder.finish(), flexible);
        const read = decoder.array(() => {
          const item = {
            name: decoder.string(),
            note: decoder.nullableString(),
            flag: decoder.bool(),
            numbers: decoder.array(() => decoder.int32()),
          };
          decoder.taggedFields();
          return item;
        });
        decoder.end();
        expect(read).toEqual(items);
      }),
    );
  });

  it('skips tagged fields it does not know', () => {
    // two tagged fields: tag 0 with 3 bytes, tag 5 with 1 byte; then an int16
    const decoder = new Decoder(Buffer.from('0200' + '03aabbcc' + '05' + '01ff' + '002a', 'hex'), true);
    decoder.taggedFields();
    expect(decoder.int16()).toBe(42);
    decoder.end();
  });

  it('reads int64 and signed int8 as the broker writes them', () => {
    const decoder = new Decoder(Buffer.from('fffffffffffffffe' + 'ff', 'hex'), false);
    expect(decoder.int64()).toBe(-2n);
    expect(decoder.int8()).toBe(-1);
  });

  it('refuses a response that ends early, has bytes left over, or puts null where a value must be', () => {
    expect(() => new Decoder(Buffer.from('0005616263', 'hex'), false).string()).toThrow(MalformedResponseError);
    const leftover = new Decoder(Buffer.from('000100', 'hex'), false);
    leftover.int16();
    expect(() => leftover.end()).toThrow(/1 bytes left over/);
    expect(() => new Decoder(Buffer.from('ffff', 'hex'), false).string()).toThrow(/null where a string/);
    expect(() => new Decoder(Buffer.from('00', 'hex'), true).array(() => 0)).toThrow(/null where an array/);
    expect(() => new Decoder(Buffer.from('7fffffff', 'hex'), false).array(() => 0)).toThrow(/array of 2147483647 items/);
    expect(() => new Decoder(Buffer.from('ffffffffff7f', 'hex'), true).unsignedVarint()).toThrow(/longer than 5 bytes/);
  });
});
