import type { KafkaConfig } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import type { Admin, Kafka } from '../kafka/client.js';
import { describeGroup, fetchGroupOffsets } from '../kafka/protocol/index.js';
import { connectAdmin, RdIsolationLevel } from '../kafka/rdkafka.js';
import { offsetFor, type ReplayTarget } from './replay-target.js';
import { setGroupOffsets } from './set-group-offsets.js';

/** bounds as a read_committed consumer sees them (the end is the last stable offset), as kafkajs' admin listed them */
const READ_COMMITTED = { isolationLevel: RdIsolationLevel.READ_COMMITTED };

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
export async function planReplay(kafka: Kafka, config: KafkaConfig, input: PlanInput): Promise<ReplayPlan> {
  const group = input.intoGroup ?? input.stageGroup;
  const admin = await connectAdmin(kafka);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = input.topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new SiemStreamError('OPERATION_REFUSED', `topics do not exist: ${missing.join(', ')}`);
    // through the protocol client: librdkafka's describeGroups crashes on a broker error (confluent-kafka-javascript#531)
    const description = await describeGroup(config, group);
    // the new group starts where the live one is, so "reprocess" reads as the extra work it takes on
    // not librdkafka's fetchOffsets, which crashes the process on NOT_COORDINATOR: see fetchGroupOffsets
    const committed = await fetchGroupOffsets(config, group, input.topics);
    const rows: ReplayPlanRow[] = [];
    const clamped: string[] = [];
    for (const topic of input.topics) {
      const bounds = await admin.fetchTopicOffsets(topic, READ_COMMITTED);
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
        const current = c === undefined || c < 0n ? null : c;
        const from = current ?? (input.intoGroup ? end : logStart);
        rows.push({ topic, partition: b.partition, current, target, logStart, end, reprocess: from - target });
      }
    }
    return {
      group,
      stageGroup: input.stageGroup,
      rows,
      liveMembers: description.members.length,
      groupState: description.state,
      clamped,
    };
  } finally {
    await admin.disconnect();
  }
}

async function targetOffsets(admin: Admin, topic: string, target: ReplayTarget, partitions: number[]): Promise<Map<number, bigint>> {
  if (target.kind === 'datetime') {
    // the first offset whose record timestamp is at or after the time (the end when there is none)
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, target.timestampMs, READ_COMMITTED);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]));
  }
  if (target.kind === 'earliest') {
    const offsets = await admin.fetchTopicOffsets(topic, READ_COMMITTED);
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
 * Commits the plan's target offsets for its group; refuses while that group has live members (and
 * the broker refuses the commit if one joins in the meantime: see set-group-offsets.ts).
 */
export async function executeReplay(kafka: Kafka, plan: ReplayPlan): Promise<void> {
  assertNoLiveMembers(plan);
  await setGroupOffsets(
    kafka,
    plan.group,
    plan.rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target })),
  );
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
