import { describe, expect, it } from 'vitest';
import { retryBrokerErrors } from '../../../src/kafka/protocol/admin.js';
import { API, isFlexible } from '../../../src/kafka/protocol/apis.js';
import { Decoder, Encoder, MalformedResponseError } from '../../../src/kafka/protocol/codec.js';
import { brokerError, KafkaProtocolError } from '../../../src/kafka/protocol/errors.js';
import { committedOffsets, type OffsetFetchAnswer, readOffsetFetch, writeOffsetFetch } from '../../../src/kafka/protocol/offsets.js';

const offsetFetch = (version: number, groupId: string, requireStable = false) => {
  const body = new Encoder(isFlexible(API.offsetFetch, version));
  writeOffsetFetch(body, version, groupId, requireStable);
  return body.finish().toString('hex');
};

/** An OffsetFetch response as a broker would write it at `version` (the top-level error from v2, as every version here). */
function offsetFetchResponse(version: number, answer: OffsetFetchAnswer): Decoder {
  const body = new Encoder(isFlexible(API.offsetFetch, version));
  if (version >= 3) body.int32(0); // throttle time
  body.array(answer.topics, (t) => {
    body.string(t.topic);
    body.array(t.partitions, (p) => {
      body.int32(p.partition);
      const offset = Buffer.alloc(8);
      offset.writeBigInt64BE(p.offset);
      body.raw(offset);
      if (version >= 5) body.int32(p.leaderEpoch);
      body.nullableString(p.metadata).int16(p.errorCode).taggedFields();
    });
    body.taggedFields();
  });
  body.int16(answer.errorCode).taggedFields();
  return new Decoder(body.finish(), body.flexible);
}

const committed: OffsetFetchAnswer = {
  errorCode: 0,
  topics: [
    {
      topic: 't',
      partitions: [
        { partition: 0, offset: 37n, leaderEpoch: 4, metadata: '', errorCode: 0 },
        { partition: 2, offset: 9_007_199_254_740_993n, leaderEpoch: 4, metadata: 'from replay', errorCode: 0 },
      ],
    },
    { topic: 'u', partitions: [{ partition: 1, offset: -1n, leaderEpoch: -1, metadata: null, errorCode: 0 }] },
  ],
};

/** What a version before v5 reads: no leader epoch on the wire. */
const withoutEpochs = (answer: OffsetFetchAnswer): OffsetFetchAnswer => ({
  ...answer,
  topics: answer.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, leaderEpoch: -1 })) })),
});

describe('OffsetFetch', () => {
  it('asks for all the group’s topics (null) in v2-v5: the group id, then int32 -1', () => {
    for (const version of [2, 3, 4, 5]) expect(offsetFetch(version, 'ab')).toBe('0002' + '6162' + 'ffffffff');
  });

  it('v6 is flexible: compact group id, 0 for the null array, an empty tagged-field section', () => {
    expect(offsetFetch(6, 'ab')).toBe('03' + '6162' + '00' + '00');
  });

  it('v7 adds require_stable, false or true', () => {
    expect(offsetFetch(7, 'ab')).toBe('03' + '6162' + '00' + '00' + '00');
    expect(offsetFetch(7, 'ab', true)).toBe('03' + '6162' + '00' + '01' + '00');
  });

  it('refuses to ask for stable offsets at a version without require_stable, rather than drop it', () => {
    const error = (() => {
      try {
        offsetFetch(6, 'ab', true);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ kafkaError: 'UNSUPPORTED_VERSION', retriable: false });
  });

  it('reads each partition’s offset, metadata and error at every version; the leader epoch from v5', () => {
    for (const version of [2, 3, 4]) {
      const body = offsetFetchResponse(version, committed);
      expect(readOffsetFetch(body, version)).toEqual(withoutEpochs(committed));
      body.end();
    }
    for (const version of [5, 6, 7]) {
      const body = offsetFetchResponse(version, committed);
      expect(readOffsetFetch(body, version)).toEqual(committed);
      body.end();
    }
  });

  it('reads the group’s own error (v2+) and an answer without topics', () => {
    const moving = { errorCode: 16, topics: [] };
    for (const version of [2, 6, 7]) expect(readOffsetFetch(offsetFetchResponse(version, moving), version)).toEqual(moving);
  });

  it('does not read a v3+ answer as v2 (throttle time) or a v5+ one as v4 (leader epoch)', () => {
    const asV2 = offsetFetchResponse(3, committed);
    expect(() => {
      readOffsetFetch(asV2, 2);
      asV2.end();
    }).toThrow(MalformedResponseError);
    const asV4 = offsetFetchResponse(5, committed);
    expect(() => {
      readOffsetFetch(asV4, 4);
      asV4.end();
    }).toThrow(MalformedResponseError);
  });
});

describe('committed offsets of an OffsetFetch answer', () => {
  it('gives every topic, or those asked for, by name, partitions by number, without the error codes', () => {
    const unordered: OffsetFetchAnswer = {
      errorCode: 0,
      topics: [...committed.topics].reverse().map((t) => ({ ...t, partitions: [...t.partitions].reverse() })),
    };
    const all = committedOffsets(unordered, 'g', 'k:1');
    expect(all).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: 37n, leaderEpoch: 4, metadata: '' },
          { partition: 2, offset: 9_007_199_254_740_993n, leaderEpoch: 4, metadata: 'from replay' },
        ],
      },
      { topic: 'u', partitions: [{ partition: 1, offset: -1n, leaderEpoch: -1, metadata: null }] },
    ]);
    expect(committedOffsets(committed, 'g', 'k:1', ['u', 'never-committed'])).toEqual([all[1]]);
    expect(committedOffsets(committed, 'g', 'k:1', [])).toEqual([]);
  });

  it('throws the group’s error naming the group and the coordinator', () => {
    const moving = () => committedOffsets({ errorCode: 16, topics: [] }, 'g', 'k:1');
    expect(moving).toThrow(
      'fetching the committed offsets of group "g" at k:1 failed: NOT_COORDINATOR (the broker is not the group’s coordinator)',
    );
    expect(moving).toThrow(expect.objectContaining({ kafkaError: 'NOT_COORDINATOR', retriable: true }));
    expect(() => committedOffsets({ errorCode: 30, topics: committed.topics }, 'g', 'k:1')).toThrow(
      expect.objectContaining({ kafkaError: 'GROUP_AUTHORIZATION_FAILED', retriable: false }),
    );
  });

  it('throws the errors of the partitions asked for, one phrase per error naming its partitions; others are not its business', () => {
    const failing = (code: number) => ({ partition: 0, offset: -1n, leaderEpoch: -1, metadata: null, errorCode: code });
    const answer: OffsetFetchAnswer = {
      errorCode: 0,
      topics: [
        { topic: 't', partitions: [failing(88), { ...failing(88), partition: 1 }] },
        { topic: 'u', partitions: [failing(29)] },
        { topic: 'v', partitions: [{ ...failing(0), offset: 5n }] },
      ],
    };
    const error = (() => {
      try {
        committedOffsets(answer, 'g', 'k:1', ['t', 'u']);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect((error as Error).message).toBe(
      'fetching the committed offsets of group "g" on t:0, t:1 at k:1 failed: UNSTABLE_OFFSET_COMMIT (a transaction that commits offsets of the group is still open); ' +
        'fetching the committed offsets of group "g" on u:0 at k:1 failed: TOPIC_AUTHORIZATION_FAILED (the user may not access the topic)',
    );
    expect(error).toMatchObject({ kafkaError: 'UNSTABLE_OFFSET_COMMIT', retriable: false });
    expect(() => committedOffsets(answer, 'g', 'k:1', ['t'])).toThrow(
      expect.objectContaining({ kafkaError: 'UNSTABLE_OFFSET_COMMIT', retriable: true }),
    );
    expect(committedOffsets(answer, 'g', 'k:1', ['v'])).toEqual([
      { topic: 'v', partitions: [{ partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }] },
    ]);
  });
});

describe('retrying broker errors', () => {
  const retry = { on: ['NOT_COORDINATOR', 'UNSTABLE_OFFSET_COMMIT'], attempts: 3, pauseMs: 1 };
  const failingWith = (codes: number[], result: string) => {
    let calls = 0;
    const work = async () => {
      const code = codes[calls++];
      if (code !== undefined) throw brokerError('asking', code);
      return result;
    };
    return { work, calls: () => calls };
  };

  it('asks again while the broker answers one of the errors named, pausing longer each time, and gives the answer that follows', async () => {
    const { work, calls } = failingWith([16, 88], 'offsets');
    const started = performance.now();
    await expect(retryBrokerErrors(work, { ...retry, pauseMs: 20 })).resolves.toBe('offsets');
    expect(calls()).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(20 + 40 - 2); // timers may fire a little early
  });

  it('throws the last error once the attempts are used up', async () => {
    const { work, calls } = failingWith([16, 16, 88, 16], 'never');
    await expect(retryBrokerErrors(work, retry)).rejects.toThrow('asking failed: UNSTABLE_OFFSET_COMMIT');
    expect(calls()).toBe(3);
  });

  it('throws any other error at once: other broker errors, a connection that failed, a bug', async () => {
    const denied = failingWith([30], 'never');
    await expect(retryBrokerErrors(denied.work, retry)).rejects.toThrow('GROUP_AUTHORIZATION_FAILED');
    expect(denied.calls()).toBe(1);
    let calls = 0;
    const unreachable = async () => {
      calls++;
      throw new KafkaProtocolError('connecting to k:1 failed', { retriable: true });
    };
    await expect(retryBrokerErrors(unreachable, retry)).rejects.toThrow('connecting to k:1 failed');
    await expect(retryBrokerErrors(() => Promise.reject(new TypeError('bug')), retry)).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it('does not ask again when a retriable error comes with one that is not (partitions failing differently)', async () => {
    const answer: OffsetFetchAnswer = {
      errorCode: 0,
      topics: [
        {
          topic: 't',
          partitions: [88, 29].map((errorCode, partition) => ({ partition, offset: -1n, leaderEpoch: -1, metadata: null, errorCode })),
        },
      ],
    };
    let calls = 0;
    const work = async () => {
      calls++;
      return committedOffsets(answer, 'g', 'k:1');
    };
    await expect(retryBrokerErrors(work, retry)).rejects.toThrow(/UNSTABLE_OFFSET_COMMIT.*TOPIC_AUTHORIZATION_FAILED/);
    expect(calls).toBe(1);
  });
});
