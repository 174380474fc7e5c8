/**
 * The one module that imports the Kafka client library: every stage, tool, bench and test takes
 * the client's types and values from here (the workarounds in kafkajs-*-fix.ts aside, which patch
 * its internals and leave with it). Moving to another client (docs/decisions/kafka-client.md)
 * starts by changing this file.
 */
import './kafkajs-read-committed-fix.js';
import kafkajs from 'kafkajs';

export type {
  Admin,
  CompressionTypes as CompressionType,
  Consumer,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaConfig,
  KafkaMessage,
  Message,
  Producer,
  ProducerConfig,
  SASLOptions,
} from 'kafkajs';

// kafkajs is CommonJS and builds its exports with a spread, so Node's ESM loader sees no named exports
export const {
  Kafka: KafkaClient,
  CompressionTypes,
  ConfigResourceTypes,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
  logLevel,
  Partitioners,
} = kafkajs;
