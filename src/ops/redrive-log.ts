import type { Topology } from '../config/schema.js';
import { ensureTopics } from '../kafka/admin.js';
import type { Kafka, Message } from '../kafka/client.js';
import { connectAdmin } from '../kafka/rdkafka.js';
import { readAll } from '../kafka/read-topic.js';

/**
 * The record of what `dlq redrive` already sent: a compacted topic keyed by the dead-letter
 * record's id (`dlqTopic/partition/offset`). Entries commit in the same transaction as the
 * redriven records, so "sent" and "recorded as sent" cannot disagree.
 */
export function redriveLogTopic(topology: Topology): string {
  return `${topology.topics.prefix}ops.dlq-redrives`;
}

export interface RedriveLogEntry {
  id: string;
  to: string;
  at: string;
}

export async function ensureRedriveLog(kafka: Kafka, topology: Topology): Promise<string> {
  const topic = redriveLogTopic(topology);
  await ensureTopics(kafka, [
    {
      topic,
      numPartitions: 1,
      replicationFactor: topology.topics.replicationFactor,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
  ]);
  return topic;
}

/** Ids already redriven (read_committed: an aborted run's entries do not count); none before the first redrive. */
export async function loadRedriven(kafka: Kafka, topic: string): Promise<Map<string, RedriveLogEntry>> {
  const done = new Map<string, RedriveLogEntry>();
  const admin = await connectAdmin(kafka);
  const exists = (await admin.listTopics()).includes(topic);
  await admin.disconnect();
  if (!exists) return done;
  for (const { message } of await readAll(kafka, topic)) {
    if (message.value === null || message.key === null) continue;
    done.set(message.key.toString(), JSON.parse(message.value.toString()) as RedriveLogEntry);
  }
  return done;
}

export function redriveLogMessage(entry: RedriveLogEntry): Message {
  return { key: entry.id, value: JSON.stringify(entry) };
}
