/**
 * The project's own Kafka protocol client for the admin requests the librdkafka client lacks:
 * cluster brokers, DescribeConfigs and IncrementalAlterConfigs, over plaintext, TLS and SASL
 * (PLAIN, SCRAM-SHA-256/512). One connection per call (two when a broker resource must be asked
 * of its own node).
 */
export { alterConfigs, describeCluster, describeConfigs } from './admin.js';
export type { AlterConfigsResource } from './alter-configs.js';
export type { ConfigEntry, ConfigSource, DescribeConfigsResource, ResourceConfigs } from './describe-configs.js';
export { KafkaProtocolError, kafkaErrorName } from './errors.js';
export type { BrokerNode, ClusterMetadata } from './metadata.js';
export type { ConfigResourceType } from './resources.js';
export type { ProtocolKafkaConfig } from './settings.js';
