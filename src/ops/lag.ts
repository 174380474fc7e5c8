import type { KafkaConfig } from '../config/schema.js';
import type { Admin, Kafka } from '../kafka/client.js';
import { describeGroup, fetchGroupOffsets } from '../kafka/protocol/index.js';
import { connectAdmin, RdIsolationLevel } from '../kafka/rdkafka.js';
import { timestampOf, timestampsAt } from './record-timestamps.js';

export interface GroupTopics {
  group: string;
  topics: string[];
  /** the stage that owns the group, when known */
  stage?: string;
}

/** One partition of one group, in the terms of `kafka-consumer-groups --describe` plus time and loss. */
export interface PartitionLagRow {
  group: string;
  stage?: string;
  topic: string;
  partition: number;
  /** the group's committed offset; null when the group never committed on this partition */
  committed: bigint | null;
  logStart: bigint;
  /** the end offset a read_committed consumer can reach (equals the log end when no transaction is open) */
  end: bigint;
  /** records between the committed offset (or the log start, without one) and the end */
  lag: bigint;
  /** age of the oldest record the group has not consumed yet; 0 when caught up, null when unknown */
  lagSeconds: number | null;
  /** the committed offset lies below the log start: retention deleted records the group never read */
  dataLoss: boolean;
  /** how many records were deleted unread (log start − committed) */
  lostRecords: bigint;
  /** the group's state (Stable, Empty, PreparingRebalance, Dead…) and live members, when described */
  groupState?: string;
  members?: number;
}

export interface LagOptions {
  /** compute lag in seconds from record timestamps (needs a short-lived peek consumer) */
  seconds?: boolean;
  now?: () => number;
}

/** Lag per group, topic and partition: records, seconds and data lost to retention. */
export async function describeLag(
  kafka: Kafka,
  config: KafkaConfig,
  groups: GroupTopics[],
  options: LagOptions = {},
): Promise<PartitionLagRow[]> {
  const admin = await connectAdmin(kafka);
  const rows: PartitionLagRow[] = [];
  try {
    const topicOffsets = await fetchTopicOffsets(admin, [...new Set(groups.flatMap((g) => g.topics))]);
    for (const { group, topics, stage } of groups) {
      const present = topics.filter((t) => topicOffsets.has(t));
      if (present.length === 0) continue;
      // not librdkafka's fetchOffsets, which crashes the process on NOT_COORDINATOR: see fetchGroupOffsets
      const committed = await fetchGroupOffsets(config, group, present);
      const membership = await groupMembership(config, group);
      // the group's offsets list only the partitions it committed on: every partition of the topic gets a row
      for (const topic of present) {
        const committedOf = new Map(committed.find((t) => t.topic === topic)?.partitions.map((p) => [p.partition, p.offset]));
        for (const [partition, offsets] of topicOffsets.get(topic) ?? []) {
          const offset = committedOf.get(partition);
          const row = partitionRow(group, topic, partition, offset === undefined || offset < 0n ? null : offset, offsets);
          rows.push({ ...row, ...membership, ...(stage === undefined ? {} : { stage }) });
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (options.seconds) await addLagSeconds(kafka, rows, options.now ?? Date.now);
  return rows.sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function partitionRow(
  group: string,
  topic: string,
  partition: number,
  committed: bigint | null,
  offsets: { low: bigint; high: bigint },
): PartitionLagRow {
  const { low, high } = offsets;
  const dataLoss = committed !== null && committed < low;
  // a group behind the log start resumes at the log start (auto.offset.reset=earliest): that is what it still has to read
  const position = committed === null || committed < low ? low : committed;
  return {
    group,
    topic,
    partition,
    committed,
    logStart: low,
    end: high,
    lag: high > position ? high - position : 0n,
    lagSeconds: null,
    dataLoss,
    lostRecords: dataLoss && committed !== null ? low - committed : 0n,
  };
}

/** the end a read_committed consumer can reach (the last stable offset), as kafkajs' admin listed it */
const READ_COMMITTED = { isolationLevel: RdIsolationLevel.READ_COMMITTED };

async function fetchTopicOffsets(admin: Admin, topics: string[]) {
  const existing = new Set(await admin.listTopics());
  const result = new Map<string, Map<number, { low: bigint; high: bigint }>>();
  for (const topic of topics.filter((t) => existing.has(t))) {
    const offsets = await admin.fetchTopicOffsets(topic, READ_COMMITTED);
    result.set(topic, new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }])));
  }
  return result;
}

async function addLagSeconds(kafka: Kafka, rows: PartitionLagRow[], now: () => number): Promise<void> {
  const position = (r: PartitionLagRow) => (r.committed === null || r.committed < r.logStart ? r.logStart : r.committed);
  for (const row of rows) if (row.lag === 0n) row.lagSeconds = 0;
  let pending = rows.filter((r) => r.lag > 0n);
  // one peek reads one offset per partition; groups at different offsets of a partition take further rounds
  while (pending.length > 0) {
    const round = new Map<string, PartitionLagRow>();
    for (const r of pending) if (!round.has(`${r.topic}/${r.partition}`)) round.set(`${r.topic}/${r.partition}`, r);
    const refs = [...round.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: position(r) }));
    const stamps = await timestampsAt(kafka, refs);
    const at = now();
    const answered = (r: PartitionLagRow) => position(round.get(`${r.topic}/${r.partition}`) as PartitionLagRow) === position(r);
    for (const r of pending.filter(answered)) {
      const ts = timestampOf(stamps, r.topic, r.partition);
      // null: only transaction markers lie ahead, nothing is waiting
      r.lagSeconds = ts === undefined ? null : ts === null ? 0 : Math.max(0, (at - ts) / 1000);
    }
    pending = pending.filter((r) => !answered(r));
  }
}

/**
 * The group's state and member count through the project's protocol client (librdkafka's
 * describeGroups crashes the process on a broker error, confluent-kafka-javascript#531, e.g. while a
 * fresh coordinator loads); none when the coordinator cannot answer now: lag needs only offsets.
 */
async function groupMembership(config: KafkaConfig, group: string): Promise<{ groupState?: string; members?: number }> {
  try {
    const description = await describeGroup(config, group);
    return { groupState: description.state, members: description.members.length };
  } catch {
    return {};
  }
}
