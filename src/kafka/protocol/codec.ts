/**
 * Kafka's primitive types (https://kafka.apache.org/protocol#protocol_types). One encoder or decoder
 * serves one message version: `flexible` (KIP-482) switches strings, arrays and bytes to their compact
 * forms (unsigned varint length + 1, 0 for null) and makes tagged-field sections exist.
 */
export class Encoder {
  private buffer = Buffer.alloc(256);
  private length = 0;

  constructor(readonly flexible: boolean) {}

  int8(value: number): this {
    this.reserve(1).writeInt8(value, this.length);
    this.length += 1;
    return this;
  }

  int16(value: number): this {
    this.reserve(2).writeInt16BE(value, this.length);
    this.length += 2;
    return this;
  }

  int32(value: number): this {
    this.reserve(4).writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  unsignedVarint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not an unsigned varint: ${value}`);
    let rest = value;
    while (rest >= 0x80) {
      this.raw(Buffer.of((rest & 0x7f) | 0x80));
      rest = Math.floor(rest / 128);
    }
    return this.raw(Buffer.of(rest));
  }

  string(value: string): this {
    return this.nullableString(value);
  }

  nullableString(value: string | null): this {
    if (value === null) return this.flexible ? this.unsignedVarint(0) : this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    if (this.flexible) this.unsignedVarint(bytes.length + 1);
    else if (bytes.length > 0x7fff) throw new RangeError(`string of ${bytes.length} bytes is too long for int16 length`);
    else this.int16(bytes.length);
    return this.raw(bytes);
  }

  bytes(value: Uint8Array): this {
    if (this.flexible) this.unsignedVarint(value.length + 1);
    else this.int32(value.length);
    return this.raw(value);
  }

  array<T>(items: readonly T[], writeItem: (item: T) => void): this {
    return this.nullableArray(items, writeItem);
  }

  nullableArray<T>(items: readonly T[] | null, writeItem: (item: T) => void): this {
    if (items === null) return this.flexible ? this.unsignedVarint(0) : this.int32(-1);
    if (this.flexible) this.unsignedVarint(items.length + 1);
    else this.int32(items.length);
    for (const item of items) writeItem(item);
    return this;
  }

  /** An empty tagged-field section: this client sends no tagged fields. Nothing at all in a non-flexible version. */
  taggedFields(): this {
    return this.flexible ? this.unsignedVarint(0) : this;
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length).set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(n: number): Buffer {
    if (this.length + n > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    return this.buffer;
  }
}

/** Thrown when a response does not match the layout of the version it was read as. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

export class Decoder {
  private offset = 0;

  constructor(
    private readonly buffer: Buffer,
    readonly flexible: boolean,
  ) {}

  int8(): number {
    return this.take(1).readInt8(0);
  }

  int16(): number {
    return this.take(2).readInt16BE(0);
  }

  int32(): number {
    return this.take(4).readInt32BE(0);
  }

  int64(): bigint {
    return this.take(8).readBigInt64BE(0);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.take(1)[0] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new MalformedResponseError('unsigned varint longer than 5 bytes');
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new MalformedResponseError('null where a string is required');
    return value;
  }

  nullableString(): string | null {
    const length = this.flexible ? this.unsignedVarint() - 1 : this.int16();
    return length < 0 ? null : this.take(length).toString('utf8');
  }

  bytes(): Buffer {
    const length = this.flexible ? this.unsignedVarint() - 1 : this.int32();
    if (length < 0) throw new MalformedResponseError('null where bytes are required');
    return Buffer.from(this.take(length));
  }

  array<T>(readItem: () => T): T[] {
    const items = this.nullableArray(readItem);
    if (items === null) throw new MalformedResponseError('null where an array is required');
    return items;
  }

  nullableArray<T>(readItem: () => T): T[] | null {
    const count = this.flexible ? this.unsignedVarint() - 1 : this.int32();
    if (count < 0) return null;
    if (count > this.remaining()) throw new MalformedResponseError(`array of ${count} items in ${this.remaining()} bytes`);
    return Array.from({ length: count }, readItem);
  }

  /** Skips a tagged-field section: none of the fields this client reads is tagged. */
  taggedFields(): void {
    if (!this.flexible) return;
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint(); // tag
      this.take(this.unsignedVarint());
    }
  }

  remaining(): number {
    return this.buffer.length - this.offset;
  }

  /** Whatever is left unread means the response was read with the wrong layout. */
  end(): void {
    if (this.remaining() !== 0) throw new MalformedResponseError(`${this.remaining()} bytes left over after the response`);
  }

  private take(n: number): Buffer {
    if (n > this.remaining()) throw new MalformedResponseError(`response ends early: needs ${n} bytes, ${this.remaining()} left`);
    const slice = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return slice;
  }
}
