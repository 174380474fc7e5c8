import { Decoder, Encoder, MalformedResponseError } from './codec.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string;
  /** request header v2 (flexible request versions) instead of v1 */
  flexible: boolean;
}

/**
 * A request as it goes on the wire: int32 size, then the header, then the body. The header's
 * client id stays an int16-length string even in header v2; v2 only adds a tagged-field section.
 */
export function encodeRequest(header: RequestHeader, body: Buffer): Buffer {
  const head = new Encoder(false).int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).nullableString(header.clientId);
  if (header.flexible) head.unsignedVarint(0);
  const headBytes = head.finish();
  const size = Buffer.alloc(4);
  size.writeInt32BE(headBytes.length + body.length);
  return Buffer.concat([size, headBytes, body]);
}

/** Reads the correlation id of a response frame (the first field of every response header). */
export function correlationIdOf(frame: Buffer): number {
  if (frame.length < 4) throw new MalformedResponseError(`response frame of ${frame.length} bytes has no correlation id`);
  return frame.readInt32BE(0);
}

/** The response body after its header: v0 is the correlation id alone, v1 adds a tagged-field section. */
export function responseBody(frame: Buffer, flexibleHeader: boolean): Buffer {
  const header = new Decoder(frame, flexibleHeader);
  header.int32();
  header.taggedFields();
  return frame.subarray(frame.length - header.remaining());
}

/** Cuts a byte stream into size-prefixed frames, however the stream was split into chunks. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) throw new MalformedResponseError(`response frame size ${size} is out of range`);
      if (this.pending.length < 4 + size) break;
      frames.push(this.pending.subarray(4, 4 + size));
      this.pending = this.pending.subarray(4 + size);
    }
    return frames;
  }
}
