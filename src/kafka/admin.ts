import type { KafkaConfig, Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import { QUICK_RETRY, type RetryPolicy, withRetry } from '../util/retry.js';
import type { Admin, Kafka } from './client.js';
import { isRetriableKafkaError } from './kafka-errors.js';
import { alterConfigs, fetchGroupOffsets } from './protocol/index.js';
import { connectAdmin, kafkaSettingsOf, RdIsolationLevel } from './rdkafka.js';

const CREATE_TOPICS_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, capMs: 2_500 };

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries?: Array<{ name: string; value: string }>;
}

/** The topics a topology needs, with compaction where the topic holds state or progress. */
export function topologyTopics(topology: Topology): TopicSpec[] {
  const names = topicNames(topology);
  const { partitions, replicationFactor } = topology.topics;
  const plain = (topic: string): TopicSpec => ({ topic, numPartitions: partitions, replicationFactor });
  return [
    ...names.allRaw.map(plain),
    plain(names.normalized),
    plain(names.enriched),
    // keyed by IncidentId: compaction keeps each incident's latest revision, deletion bounds the topic by retention
    { ...plain(names.incidents), configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
    plain(names.dlq('parser')),
    plain(names.dlq('enricher')),
    plain(names.dlq('s3-source')),
    plain(names.sourceWork),
    ...topology.sinks.map((s) => plain(names.dlq(s.name))),
    // a segment closes within an hour, so progress tombstoned by retention leaves the log (compaction skips the open segment)
    {
      ...plain(names.sourceOffsets),
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'segment.ms', value: '3600000' },
      ],
    },
    { ...plain(names.enricherChangelog), configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ];
}

/** Create missing topics; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<string[]> {
  const admin = await connectAdmin(kafka);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    // a broker that has not learnt of a topic created a moment ago by another caller refuses it as
    // existing or unknown for a moment: creating again is harmless, existing topics are skipped
    if (missing.length > 0) {
      const fresh = async () => {
        const now = new Set(await admin.listTopics());
        const left = missing.filter((s) => !now.has(s.topic));
        if (left.length > 0) await admin.createTopics({ topics: left, timeout: 30_000 });
      };
      await withRetry(fresh, CREATE_TOPICS_RETRY, {
        retriable: isRetriableKafkaError,
        stage: 'admin',
        what: 'creating topics',
      });
    }
    for (const spec of missing) await topicOffsets(admin, spec.topic, LEADERS_ANSWER_RETRY);
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * waitForLeaders only sees leaders in the metadata; a leader can still answer NOT_LEADER for a
 * moment. Wait until the new topic's offsets can be listed, so whoever reads it next (progress
 * restore, lag) does not fail.
 */
const LEADERS_ANSWER_RETRY: RetryPolicy = { attempts: 60, baseMs: 250, capMs: 250 };

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: bigint;
  end: bigint;
  lag: bigint;
}

/** Committed offset vs. end offset per partition (lag in records) for one group. */
export async function groupLag(kafka: Kafka, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const admin = await connectAdmin(kafka);
  try {
    // not librdkafka's fetchOffsets, which crashes the process on NOT_COORDINATOR: see fetchGroupOffsets
    const committed = await fetchGroupOffsets(kafkaSettingsOf(kafka), groupId, topics);
    const rows: PartitionLag[] = [];
    for (const topic of topics) {
      // every partition: the client lists only those the group committed on
      const offsetOf = new Map((committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
      for (const e of await topicOffsets(admin, topic)) {
        const offset = offsetOf.get(e.partition);
        const c = offset === undefined || offset < 0n ? BigInt(e.low) : offset;
        const end = BigInt(e.high);
        rows.push({ topic, partition: e.partition, committed: c, end, lag: end > c ? end - c : 0n });
      }
    }
    return rows;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Low and high watermarks per partition. Right after a topic is created (or a leader moves) a
 * broker answers NOT_LEADER for a moment; the client's admin does not retry that here, so we do.
 */
export async function topicOffsets(admin: Admin, topic: string, policy: RetryPolicy = QUICK_RETRY) {
  // the end a read_committed reader reaches (the last stable offset), as the pipeline's readers see it
  return withRetry(() => admin.fetchTopicOffsets(topic, { isolationLevel: RdIsolationLevel.READ_COMMITTED }), policy, {
    retriable: isRetriableKafkaError,
    stage: 'admin',
    what: `listing the offsets of ${topic}`,
  });
}

/** Sets one topic config entry (e.g. `max.message.bytes`), retried while a broker is unreachable. */
export async function setTopicConfig(config: KafkaConfig, topic: string, name: string, value: string): Promise<void> {
  await withRetry(
    () => alterConfigs(config, [{ type: 'topic', name: topic, set: { [name]: value } }]),
    { attempts: 15, baseMs: 500, capMs: 2_000 },
    // a broker killed a moment ago refuses connections: another broker answers on the next try
    { stage: 'admin', what: `setting ${name} of ${topic}`, retriable: () => true },
  );
}
