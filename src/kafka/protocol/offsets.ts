import { API } from './apis.js';
import type { Decoder, Encoder } from './codec.js';
import { brokerError, combineErrors, KafkaProtocolError } from './errors.js';
import type { BrokerSession } from './session.js';

const NO_ERROR = 0;

/** A group's committed offset on one partition. */
export interface CommittedOffset {
  partition: number;
  /** the next offset the group reads; -1n when it has none there */
  offset: bigint;
  /** the leader epoch of the record before the offset (v5+); -1 when unknown */
  leaderEpoch: number;
  /** what the committer attached to the offset */
  metadata: string | null;
}

export interface TopicOffsets {
  topic: string;
  partitions: CommittedOffset[];
}

/** An OffsetFetch answer as the broker gave it, error codes included. */
export interface OffsetFetchAnswer {
  /** the group's error: the coordinator moving or loading, no access to the group */
  errorCode: number;
  topics: Array<{ topic: string; partitions: Array<CommittedOffset & { errorCode: number }> }>;
}

/**
 * OffsetFetch v2-v7 for one group and all its topics (topics null: the broker answers the
 * partitions the group committed on). `requireStable` (v7+) asks the broker to answer
 * UNSTABLE_OFFSET_COMMIT for a partition whose offsets an open transaction is about to commit.
 */
export function writeOffsetFetch(body: Encoder, version: number, groupId: string, requireStable: boolean): void {
  if (requireStable && version < 7) {
    throw new KafkaProtocolError(`OffsetFetch v${version} cannot ask for stable offsets only (v7 and later can)`, {
      retriable: false,
      kafkaError: 'UNSUPPORTED_VERSION',
    });
  }
  body.string(groupId);
  body.nullableArray<never>(null, () => {}); // topics: all of them
  if (version >= 7) body.bool(requireStable);
  body.taggedFields();
}

export function readOffsetFetch(body: Decoder, version: number): OffsetFetchAnswer {
  if (version >= 3) body.int32(); // throttle time
  const topics = body.array(() => {
    const topic = body.string();
    const partitions = body.array(() => {
      const partition = body.int32();
      const offset = body.int64();
      const leaderEpoch = version >= 5 ? body.int32() : -1;
      const answer = { partition, offset, leaderEpoch, metadata: body.nullableString(), errorCode: body.int16() };
      body.taggedFields();
      return answer;
    });
    body.taggedFields();
    return { topic, partitions };
  });
  const errorCode = body.int16(); // v2+
  body.taggedFields();
  return { errorCode, topics };
}

/** OffsetFetch for all of `groupId`'s topics, sent to its coordinator: the answer as the broker gave it. */
export function requestOffsetFetch(session: BrokerSession, groupId: string, requireStable: boolean): Promise<OffsetFetchAnswer> {
  return session.call(
    API.offsetFetch,
    (body, version) => writeOffsetFetch(body, version, groupId, requireStable),
    (body, version) => readOffsetFetch(body, version),
  );
}

/**
 * The committed offsets of the topics asked for (all when `topics` is undefined), topics by name
 * and partitions by number; a topic the group never committed on is absent. The group's error, or
 * any partition's among the topics asked for, is a KafkaProtocolError naming the group (and the
 * partitions, one phrase per error).
 */
export function committedOffsets(
  answer: OffsetFetchAnswer,
  groupId: string,
  coordinator: string,
  topics?: readonly string[],
): TopicOffsets[] {
  const what = `fetching the committed offsets of group "${groupId}"`;
  if (answer.errorCode !== NO_ERROR) throw brokerError(`${what} at ${coordinator}`, answer.errorCode);
  const byNumber = (a: { partition: number }, b: { partition: number }) => a.partition - b.partition;
  const wanted = answer.topics
    .filter((t) => topics === undefined || topics.includes(t.topic))
    .map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort(byNumber) }))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  const failedPartitions = new Map<number, string[]>();
  for (const { topic, partitions } of wanted) {
    for (const p of partitions.filter((p) => p.errorCode !== NO_ERROR)) {
      failedPartitions.set(p.errorCode, [...(failedPartitions.get(p.errorCode) ?? []), `${topic}:${p.partition}`]);
    }
  }
  const failure = combineErrors(
    [...failedPartitions].map(([code, where]) => brokerError(`${what} on ${where.join(', ')} at ${coordinator}`, code)),
  );
  if (failure) throw failure;
  return wanted.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map(({ partition, offset, leaderEpoch, metadata }) => ({ partition, offset, leaderEpoch, metadata })),
  }));
}
