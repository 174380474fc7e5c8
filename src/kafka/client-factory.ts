import type { KafkaConfig } from '../config/schema.js';
import type { Kafka } from './client.js';
import { createRdKafka } from './rdkafka.js';

/** A client for tools and tests: brokers, TLS and SASL from the topology's `kafka` (rdkafka.ts builds it). */
export function createKafka(config: KafkaConfig, clientSuffix: string): Kafka {
  return createRdKafka(config, clientSuffix).kafka;
}

/**
 * Settings every plain (non-transactional) producer shares: idempotent, acks=all, no topic
 * created by writing to it. librdkafka's default partitioner for keyed records is Java's murmur2,
 * so a keyed record lands where a Java client (Kafka Streams, Connect) would put it.
 */
export const PRODUCER_DEFAULTS = { kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false } } as const;
