import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API, chooseVersion, hasFlexibleResponseHeader, isFlexible } from '../../../src/kafka/protocol/apis.js';
import { Encoder } from '../../../src/kafka/protocol/codec.js';
import { correlationIdOf, encodeRequest, FrameReader, responseBody } from '../../../src/kafka/protocol/frame.js';

describe('Kafka request and response frames', () => {
  it('puts the size, then request header v1: api key, version, correlation id, client id', () => {
    const frame = encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 7, clientId: 'ab', flexible: false }, Buffer.alloc(0));
    expect(frame.toString('hex')).toBe(`0000000c` + `0012` + `0000` + `00000007` + `0002` + `6162`);
  });

  it('adds an empty tagged-field section for request header v2, and keeps the client id an int16-length string', () => {
    const body = new Encoder(true).string('x').taggedFields().finish();
    const frame = encodeRequest({ apiKey: 32, apiVersion: 4, correlationId: 1, clientId: 'ab', flexible: true }, body);
    expect(frame.toString('hex')).toBe(`00000010` + `0020` + `0004` + `00000001` + `0002` + `6162` + `00` + `027800`);
  });

  it('cuts a stream into frames however it arrives in chunks', () => {
    const frames = fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(frames, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (payloads, cuts) => {
        const stream = Buffer.concat(
          payloads.map((p) => {
            const size = Buffer.alloc(4);
            size.writeInt32BE(p.length);
            return Buffer.concat([size, p]);
          }),
        );
        const reader = new FrameReader();
        const read: Buffer[] = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const next = Math.min(stream.length, at + (cuts[i % cuts.length] as number));
          read.push(...reader.push(stream.subarray(at, next)));
          at = next;
        }
        expect(read.map((f) => [...f])).toEqual(payloads.map((p) => [...p]));
      }),
    );
  });

  it('refuses a frame size no response has', () => {
    expect(() => new FrameReader(1024).push(Buffer.from('00100000', 'hex'))).toThrow(/frame size 1048576/);
    expect(() => new FrameReader().push(Buffer.from('ffffffff', 'hex'))).toThrow(/frame size -1/);
  });

  it('strips response header v0 (correlation id) or v1 (correlation id and tagged fields)', () => {
    const v0 = Buffer.from('0000002a' + 'beef', 'hex');
    expect(correlationIdOf(v0)).toBe(42);
    expect(responseBody(v0, false).toString('hex')).toBe('beef');
    const v1 = Buffer.from('0000002a' + '01' + '0002abcd' + 'beef', 'hex');
    expect(responseBody(v1, true).toString('hex')).toBe('beef');
  });
});

describe('API versions', () => {
  const broker = new Map([
    [API.metadata.key, { min: 0, max: 13 }],
    [API.describeConfigs.key, { min: 1, max: 4 }],
    [API.incrementalAlterConfigs.key, { min: 2, max: 3 }],
  ]);

  it('uses the highest version both sides speak, or none when the ranges do not meet', () => {
    expect(chooseVersion(API.metadata, broker)).toBe(13);
    expect(chooseVersion(API.describeConfigs, new Map([[32, { min: 1, max: 9 }]]))).toBe(4);
    expect(chooseVersion(API.incrementalAlterConfigs, broker)).toBeUndefined();
    expect(chooseVersion(API.saslHandshake, broker)).toBeUndefined();
    expect(chooseVersion(API.metadata, broker, 7)).toBe(7);
    expect(chooseVersion(API.metadata, broker, 2)).toBeUndefined();
  });

  it('knows which versions are flexible, and that ApiVersions keeps response header v0', () => {
    expect(isFlexible(API.metadata, 8)).toBe(false);
    expect(isFlexible(API.metadata, 9)).toBe(true);
    expect(hasFlexibleResponseHeader(API.describeConfigs, 4)).toBe(true);
    expect(hasFlexibleResponseHeader(API.apiVersions, 3)).toBe(false);
    expect(isFlexible(API.saslHandshake, 1)).toBe(false);
  });
});
