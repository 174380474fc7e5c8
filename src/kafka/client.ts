/**
 * The Kafka client: @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-compatible API
 * (docs/decisions/kafka-client.md). Every stage, tool, bench and test takes the client's types from
 * here or from rdkafka.ts, which builds the clients from the topology's `kafka` settings.
 */
import confluent, { type KafkaJS } from '@confluentinc/kafka-javascript';

export type Kafka = KafkaJS.Kafka;
export type Admin = KafkaJS.Admin;
export type Consumer = KafkaJS.Consumer;
export type Producer = KafkaJS.Producer;
export type EachBatchPayload = KafkaJS.EachBatchPayload;
export type KafkaMessage = KafkaJS.KafkaMessage;
export type IHeaders = KafkaJS.IHeaders;
export type { Message } from './message.js';

export const { KafkaJSError, logLevel } = confluent.KafkaJS;
