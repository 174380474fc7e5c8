import { SiemStreamError } from '../errors.js';
import type { Admin, Kafka } from '../kafka/client.js';
import { offsetFor, type ReplayTarget } from './replay-target.js';

export interface ReplayPlanRow {
  topic: string;
  partition: number;
  /** the group's committed offset now; null when it never committed here */
  current: bigint | null;
  target: bigint;
  logStart: bigint;
  end: bigint;
  /** records the group will read again (negative: records it will skip) */
  reprocess: bigint;
}

export interface ReplayPlan {
  /** the group whose offsets change: the stage's own, or the --into-group one */
  group: string;
  /** the stage's live group, never touched by an --into-group replay */
  stageGroup: string;
  rows: ReplayPlanRow[];
  /** members of the group to be changed; a replay is refused while there are any */
  liveMembers: number;
  groupState: string;
  /** targets outside [log start, end] were moved to the nearest bound, as Kafka does */
  clamped: string[];
}

export interface PlanInput {
  stageGroup: string;
  intoGroup?: string | undefined;
  topics: string[];
  target: ReplayTarget;
}

/** Works out, per partition, where the group is, where the replay moves it and how many records that replays. */
export async function planReplay(kafka: Kafka, input: PlanInput): Promise<ReplayPlan> {
  const group = input.intoGroup ?? input.stageGroup;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = input.topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new SiemStreamError('OPERATION_REFUSED', `topics do not exist: ${missing.join(', ')}`);
    const { groups } = await admin.describeGroups([group]);
    const description = groups[0];
    // the new group starts where the live one is, so "reprocess" reads as the extra work it takes on
    const committed = await admin.fetchOffsets({ groupId: group, topics: input.topics });
    const rows: ReplayPlanRow[] = [];
    const clamped: string[] = [];
    for (const topic of input.topics) {
      const bounds = await admin.fetchTopicOffsets(topic);
      const targets = await targetOffsets(
        admin,
        topic,
        input.target,
        bounds.map((b) => b.partition),
      );
      for (const b of bounds.sort((x, y) => x.partition - y.partition)) {
        const logStart = BigInt(b.low);
        const end = BigInt(b.high);
        const raw = targets.get(b.partition);
        if (raw === undefined)
          throw new SiemStreamError('CONFIG_INVALID', `--to-offset names no offset for ${topic} partition ${b.partition}`);
        const target = raw < logStart ? logStart : raw > end ? end : raw;
        if (target !== raw) clamped.push(`${topic}:${b.partition} ${raw} → ${target}`);
        const c = committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === b.partition)?.offset;
        const current = c === undefined || c === '-1' ? null : BigInt(c);
        const from = current ?? (input.intoGroup ? end : logStart);
        rows.push({ topic, partition: b.partition, current, target, logStart, end, reprocess: from - target });
      }
    }
    return {
      group,
      stageGroup: input.stageGroup,
      rows,
      liveMembers: description?.members.length ?? 0,
      groupState: description?.state ?? 'Unknown',
      clamped,
    };
  } finally {
    await admin.disconnect();
  }
}

async function targetOffsets(admin: Admin, topic: string, target: ReplayTarget, partitions: number[]): Promise<Map<number, bigint>> {
  if (target.kind === 'datetime') {
    // the first offset whose record timestamp is at or after the time (the end when there is none)
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, target.timestampMs);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]));
  }
  if (target.kind === 'earliest') {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
  }
  const result = new Map<number, bigint>();
  for (const p of partitions) {
    const offset = offsetFor(target.offsets, topic, p);
    if (offset !== undefined) result.set(p, offset);
  }
  return result;
}

/**
 * Commits the plan's target offsets for its group; refuses while that group has live members.
 * Offsets of a group can only be committed by a member, so this joins the group once for all its
 * topics, checks it is alone there, commits and leaves (kafkajs' admin.setOffsets joins once per
 * topic and waits out a fetch each time).
 */
export async function executeReplay(kafka: Kafka, plan: ReplayPlan): Promise<void> {
  assertNoLiveMembers(plan);
  const topics = [...new Set(plan.rows.map((r) => r.topic))];
  const consumer = kafka.consumer({ groupId: plan.group, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics });
    // nothing is processed: run() only makes this a member (it resolves after the join and sync)
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ pause }) => {
        pause();
      },
    });
    consumer.pause(topics.map((topic) => ({ topic })));
    const members = (await consumer.describeGroup()).members.length;
    if (members !== 1) assertNoLiveMembers({ ...plan, liveMembers: members - 1, groupState: 'joined while replaying' });
    await consumer.commitOffsets(plan.rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target.toString() })));
  } finally {
    await consumer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const after = await admin.fetchOffsets({ groupId: plan.group, topics });
    for (const row of plan.rows) {
      const got = after.find((t) => t.topic === row.topic)?.partitions.find((p) => p.partition === row.partition)?.offset;
      if (got !== row.target.toString()) {
        throw new SiemStreamError(
          'OPERATION_REFUSED',
          `${plan.group} ${row.topic}:${row.partition} is at ${got} after the replay, expected ${row.target}`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export function assertNoLiveMembers(plan: ReplayPlan): void {
  if (plan.liveMembers > 0) {
    throw new SiemStreamError(
      'OPERATION_REFUSED',
      `consumer group ${plan.group} has ${plan.liveMembers} live member(s) (state ${plan.groupState}); stop every instance of the stage first, ` +
        'or replay into a new group with --into-group',
    );
  }
}
