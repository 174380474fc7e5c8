import { describe, expect, it } from 'vitest';
import { keyPartition, murmur2 } from '../../../src/kafka/murmur2.js';

describe("Kafka's murmur2 partitioner", () => {
  it("hashes as Kafka's Utils.murmur2 (the values of Kafka's own UtilsTest)", () => {
    const expected: Record<string, number> = {
      '21': -973932308,
      foobar: -790332482,
      'a-little-bit-long-string': -985981536,
      'a-little-bit-longer-string': -1486304829,
      lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
      abc: 479470107,
      '1': -1993445489,
      '12': 126087238,
      '123': -267702483,
      '1234': -1614185708,
    };
    for (const [key, hash] of Object.entries(expected)) expect([key, murmur2(Buffer.from(key))]).toEqual([key, hash]);
  });

  it('puts a key in partition (hash & 0x7fffffff) % n', () => {
    expect(keyPartition('foobar', 3)).toBe((-790332482 & 0x7fffffff) % 3);
    expect(keyPartition('abc', 7)).toBe(479470107 % 7);
  });
});
