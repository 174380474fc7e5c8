import { describe, expect, it } from 'vitest';
import { API, isFlexible } from '../../../src/kafka/protocol/apis.js';
import { Decoder, Encoder, MalformedResponseError } from '../../../src/kafka/protocol/codec.js';
import { KafkaProtocolError } from '../../../src/kafka/protocol/errors.js';
import {
  type DescribedGroup,
  groupDescription,
  readDescribeGroups,
  readFindCoordinator,
  writeDescribeGroups,
  writeFindCoordinator,
} from '../../../src/kafka/protocol/groups.js';

const findCoordinator = (version: number, groupId: string) => {
  const body = new Encoder(isFlexible(API.findCoordinator, version));
  writeFindCoordinator(body, version, groupId);
  return body.finish().toString('hex');
};

const describeGroups = (version: number, groupIds: string[]) => {
  const body = new Encoder(isFlexible(API.describeGroups, version));
  writeDescribeGroups(body, version, groupIds);
  return body.finish().toString('hex');
};

/** A DescribeGroups response as a broker would write it at `version`. */
function describeGroupsResponse(version: number, groups: Array<DescribedGroup & { instanceId?: string | null }>): Decoder {
  const body = new Encoder(isFlexible(API.describeGroups, version));
  body.int32(0); // throttle time
  body.array(groups, (g) => {
    body.int16(g.errorCode);
    if (version >= 6) body.nullableString(g.errorMessage);
    body.string(g.groupId).string(g.state).string('consumer').string('range');
    body.array(g.members, (m) => {
      body.string(m.memberId);
      if (version >= 4) body.nullableString(g.instanceId ?? null);
      body.string(m.clientId).string(m.clientHost);
      body.bytes(Buffer.from('metadata')).bytes(Buffer.from('assignment'));
      body.taggedFields();
    });
    if (version >= 3) body.int32(-2147483648);
    body.taggedFields();
  });
  body.taggedFields();
  return new Decoder(body.finish(), body.flexible);
}

const stable: DescribedGroup = {
  groupId: 'g',
  errorCode: 0,
  errorMessage: null,
  state: 'Stable',
  members: [
    { memberId: 'siem-a-1234', clientId: 'siem-a', clientHost: '/127.0.0.1' },
    { memberId: 'siem-b-5678', clientId: 'siem-b', clientHost: '/10.0.0.2' },
  ],
};

describe('FindCoordinator', () => {
  it('asks for one group key: the key, then key type 0 (v1-v2 classic, v3 flexible)', () => {
    expect(findCoordinator(1, 'ab')).toBe('0002' + '6162' + '00');
    expect(findCoordinator(2, 'ab')).toBe('0002' + '6162' + '00');
    expect(findCoordinator(3, 'ab')).toBe('03' + '6162' + '00' + '00');
  });

  it('asks for a list of one key from v4: key type 0, then the compact array', () => {
    expect(findCoordinator(4, 'ab')).toBe('00' + '02' + '036162' + '00');
    expect(findCoordinator(6, 'ab')).toBe(findCoordinator(4, 'ab'));
  });

  it('reads the coordinator of v1-v3 answers (the error, then node, host, port)', () => {
    for (const version of [1, 3]) {
      const body = new Encoder(version >= 3).int32(0).int16(0).nullableString(null).int32(2).string('kafka-2').int32(9092).taggedFields();
      expect(readFindCoordinator(new Decoder(body.finish(), version >= 3), version, 'g')).toEqual({
        errorCode: 0,
        errorMessage: null,
        nodeId: 2,
        host: 'kafka-2',
        port: 9092,
      });
    }
    const unavailable = new Encoder(false).int32(0).int16(15).nullableString('not yet').int32(-1).string('').int32(-1);
    expect(readFindCoordinator(new Decoder(unavailable.finish(), false), 2, 'g')).toMatchObject({ errorCode: 15, errorMessage: 'not yet' });
  });

  it('reads the answer for its own key from a v4+ list', () => {
    const body = new Encoder(true).int32(0);
    const coordinators = [
      { key: 'other', nodeId: 1, error: 0 },
      { key: 'g', nodeId: 3, error: 0 },
    ];
    body.array(coordinators, (c) =>
      body.string(c.key).int32(c.nodeId).string(`kafka-${c.nodeId}`).int32(9092).int16(c.error).nullableString(null).taggedFields(),
    );
    body.taggedFields();
    const bytes = body.finish();
    expect(readFindCoordinator(new Decoder(bytes, true), 4, 'g')).toEqual({
      nodeId: 3,
      host: 'kafka-3',
      port: 9092,
      errorCode: 0,
      errorMessage: null,
    });
    expect(() => readFindCoordinator(new Decoder(bytes, true), 4, 'missing')).toThrow(MalformedResponseError);
  });
});

describe('DescribeGroups', () => {
  it('asks for the groups; from v3 without the authorized operations; flexible from v5', () => {
    expect(describeGroups(1, ['ab'])).toBe('00000001' + '0002' + '6162');
    expect(describeGroups(3, ['ab'])).toBe('00000001' + '0002' + '6162' + '00');
    expect(describeGroups(5, ['ab', 'c'])).toBe('03' + '036162' + '0263' + '00' + '00');
    expect(describeGroups(6, ['ab'])).toBe('02' + '036162' + '00' + '00');
  });

  it('reads the state and each member’s id, client id and host at every version', () => {
    for (const version of [1, 2, 3, 4, 5, 6]) {
      const body = describeGroupsResponse(version, [{ ...stable, instanceId: 'static-1' }]);
      expect(readDescribeGroups(body, version)).toEqual([stable]);
      body.end();
    }
  });

  it('reads an error answer with its message (v6) and a Dead group without members', () => {
    const missing = { groupId: 'nope', errorCode: 69, errorMessage: 'Group nope not found.', state: 'Dead', members: [] };
    expect(readDescribeGroups(describeGroupsResponse(6, [missing]), 6)).toEqual([missing]);
    const dead = { ...missing, errorCode: 0, errorMessage: null };
    expect(readDescribeGroups(describeGroupsResponse(5, [dead]), 5)).toEqual([dead]);
  });

  it('gives the group’s description; an unknown group is Dead with no members whatever the version; other errors throw naming the group', () => {
    const { errorCode, errorMessage, ...description } = stable;
    expect(groupDescription(stable, 'k:1')).toEqual(description);
    const notFound = { groupId: 'nope', errorCode: 69, errorMessage: 'Group nope not found.', state: '', members: [] };
    expect(groupDescription(notFound, 'k:1')).toEqual({ groupId: 'nope', state: 'Dead', members: [] });

    const moved = groupDescription.bind(null, { ...stable, errorCode: 16, state: '', members: [] }, 'k:1');
    expect(moved).toThrow(KafkaProtocolError);
    expect(moved).toThrow('describing group "g" at k:1 failed: NOT_COORDINATOR (the broker is not the group’s coordinator)');
    const denied = (() => {
      try {
        groupDescription({ ...stable, errorCode: 30, errorMessage: 'not allowed' }, 'k:1');
      } catch (error) {
        return error;
      }
    })();
    expect(denied).toMatchObject({
      kafkaError: 'GROUP_AUTHORIZATION_FAILED',
      retriable: false,
      message: expect.stringContaining('not allowed'),
    });
  });
});
