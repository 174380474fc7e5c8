import { API } from './apis.js';
import { type Decoder, type Encoder, MalformedResponseError } from './codec.js';
import { brokerError } from './errors.js';
import type { BrokerSession } from './session.js';

/** FindCoordinator's key type of a consumer group (1 is a transactional id, 2 a share group). */
const GROUP_KEY_TYPE = 0;
const NO_ERROR = 0;
const GROUP_ID_NOT_FOUND = 69;

export interface Coordinator {
  nodeId: number;
  host: string;
  port: number;
}

interface CoordinatorAnswer extends Coordinator {
  errorCode: number;
  errorMessage: string | null;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

/** A classic group as its coordinator describes it. */
export interface GroupDescription {
  groupId: string;
  /** Kafka's name of the state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead */
  state: string;
  members: GroupMember[];
}

/** One group of a DescribeGroups answer, error code included. */
export interface DescribedGroup extends GroupDescription {
  errorCode: number;
  /** v6+ only */
  errorMessage: string | null;
}

/** FindCoordinator v1-v3 ask for one key; v4+ for a list of them (one here). */
export function writeFindCoordinator(body: Encoder, version: number, groupId: string): void {
  if (version < 4) body.string(groupId);
  body.int8(GROUP_KEY_TYPE);
  if (version >= 4) body.array([groupId], (key) => body.string(key));
  body.taggedFields();
}

export function readFindCoordinator(body: Decoder, version: number, groupId: string): CoordinatorAnswer {
  body.int32(); // throttle time
  if (version < 4) {
    const answer = {
      errorCode: body.int16(),
      errorMessage: body.nullableString(),
      nodeId: body.int32(),
      host: body.string(),
      port: body.int32(),
    };
    body.taggedFields();
    return answer;
  }
  const coordinators = body.array(() => {
    const key = body.string();
    const answer = {
      nodeId: body.int32(),
      host: body.string(),
      port: body.int32(),
      errorCode: body.int16(),
      errorMessage: body.nullableString(),
    };
    body.taggedFields();
    return { key, answer };
  });
  body.taggedFields();
  const ours = coordinators.find((c) => c.key === groupId);
  if (!ours) throw new MalformedResponseError(`no coordinator for group "${groupId}" among the ${coordinators.length} answered`);
  return ours.answer;
}

/** The broker that coordinates `groupId`, as it is advertised on the listener asked. */
export async function requestFindCoordinator(session: BrokerSession, groupId: string): Promise<Coordinator> {
  const answer = await session.call(
    API.findCoordinator,
    (body, version) => writeFindCoordinator(body, version, groupId),
    (body, version) => readFindCoordinator(body, version, groupId),
  );
  if (answer.errorCode !== NO_ERROR) {
    throw brokerError(`finding the coordinator of group "${groupId}" at ${session.address}`, answer.errorCode, answer.errorMessage);
  }
  return { nodeId: answer.nodeId, host: answer.host, port: answer.port };
}

export function writeDescribeGroups(body: Encoder, version: number, groupIds: readonly string[]): void {
  body.array(groupIds, (groupId) => body.string(groupId));
  if (version >= 3) body.bool(false); // include_authorized_operations
  body.taggedFields();
}

export function readDescribeGroups(body: Decoder, version: number): DescribedGroup[] {
  if (version >= 1) body.int32(); // throttle time
  const groups = body.array(() => {
    const errorCode = body.int16();
    const errorMessage = version >= 6 ? body.nullableString() : null;
    const groupId = body.string();
    const state = body.string();
    body.string(); // protocol type
    body.string(); // protocol data (the assignor)
    const members = body.array(() => {
      const memberId = body.string();
      if (version >= 4) body.nullableString(); // group instance id
      const member = { memberId, clientId: body.string(), clientHost: body.string() };
      body.bytes(); // member metadata
      body.bytes(); // member assignment
      body.taggedFields();
      return member;
    });
    if (version >= 3) body.int32(); // authorized operations: not asked for
    body.taggedFields();
    return { groupId, errorCode, errorMessage, state, members };
  });
  body.taggedFields();
  return groups;
}

/** DescribeGroups for one group, sent to its coordinator: the answer as the broker gave it, error code included. */
export async function requestDescribeGroup(session: BrokerSession, groupId: string): Promise<DescribedGroup> {
  const groups = await session.call(
    API.describeGroups,
    (body, version) => writeDescribeGroups(body, version, [groupId]),
    (body, version) => readDescribeGroups(body, version),
  );
  const group = groups.find((g) => g.groupId === groupId);
  if (!group) throw brokerError(`describing group "${groupId}" at ${session.address}`, -1, 'the answer does not name the group');
  return group;
}

/**
 * The group's description, or the KafkaProtocolError of the broker's error. A group that does not
 * exist is Dead with no members whatever the version: v0-v5 answer so, v6 answers GROUP_ID_NOT_FOUND.
 */
export function groupDescription(answer: DescribedGroup, coordinator: string): GroupDescription {
  const { groupId, state, members } = answer;
  if (answer.errorCode === GROUP_ID_NOT_FOUND) return { groupId, state: 'Dead', members: [] };
  if (answer.errorCode !== NO_ERROR)
    throw brokerError(`describing group "${groupId}" at ${coordinator}`, answer.errorCode, answer.errorMessage);
  return { groupId, state, members };
}
