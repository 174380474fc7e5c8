import type { KafkaConfig } from '../config/schema.js';
import { describeCluster, describeConfigs } from './protocol/index.js';

/** Kafka's default `message.max.bytes` (1 MiB + 12 bytes of the old log overhead). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface ConfigEntry {
  configName: string;
  configValue: string | null;
}

/**
 * The largest record batch a topic accepts: its `max.message.bytes` (an override, or the
 * broker's default the broker reports for it), else the broker's `message.max.bytes`, else
 * Kafka's default. Pure, so the choice is tested without a broker.
 */
export function batchLimitOf(topicEntries: ConfigEntry[] | undefined, brokerEntries: ConfigEntry[] | undefined): number {
  const topic = positive(topicEntries?.find((e) => e.configName === 'max.message.bytes')?.configValue);
  if (topic !== undefined) return topic;
  return positive(brokerEntries?.find((e) => e.configName === 'message.max.bytes')?.configValue) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
}

function positive(value: string | null | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Reads `max.message.bytes` of each topic from the broker (DescribeConfigs, protocol/), falling
 * back to the broker's `message.max.bytes` for a topic the broker does not describe. Every stage
 * that writes uses it to bound its chunks (record-bytes.ts).
 */
export async function topicBatchLimits(config: KafkaConfig, topics: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(topics)];
  const byTopic = new Map<string, ConfigEntry[]>();
  for (const name of unique) {
    // one topic per request: a missing topic fails its whole answer
    const answer = await describeConfigs(config, [{ type: 'topic', name, names: ['max.message.bytes'] }]).catch(() => undefined);
    const entries = answer?.[0]?.configs.map((c) => ({ configName: c.name, configValue: c.value }));
    if (entries) byTopic.set(name, entries);
  }
  const broker = unique.every((t) => byTopic.has(t)) ? undefined : await brokerEntries(config);
  return new Map(unique.map((t) => [t, batchLimitOf(byTopic.get(t), broker)]));
}

async function brokerEntries(config: KafkaConfig): Promise<ConfigEntry[] | undefined> {
  const { brokers } = await describeCluster(config);
  const id = brokers[0]?.nodeId;
  if (id === undefined) return undefined;
  const answer = await describeConfigs(config, [{ type: 'broker', name: String(id), names: ['message.max.bytes'] }]);
  return answer[0]?.configs.map((c) => ({ configName: c.name, configValue: c.value }));
}
