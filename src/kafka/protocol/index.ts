/**
 * The project's own Kafka protocol client for the admin requests the librdkafka client lacks or
 * cannot be trusted with: cluster brokers, DescribeConfigs and IncrementalAlterConfigs, a group's
 * state and members (librdkafka's describeGroups crashes the process when the broker answers the
 * group with an error: confluent-kafka-javascript#531) and its committed offsets (librdkafka's
 * fetchOffsets crashes it when the broker answers NOT_COORDINATOR: see fetchGroupOffsets), over
 * plaintext, TLS (mutual TLS too) and SASL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER). One connection per call (two when a broker
 * resource or a group must be asked of its own node).
 */
export { alterConfigs, describeCluster, describeConfigs, describeGroup, fetchGroupOffsets } from './admin.js';
export type { AlterConfigsResource } from './alter-configs.js';
export type { ConfigEntry, ConfigSource, DescribeConfigsResource, ResourceConfigs } from './describe-configs.js';
export { KafkaProtocolError, kafkaErrorName } from './errors.js';
export type { GroupDescription, GroupMember } from './groups.js';
export type { BrokerNode, ClusterMetadata } from './metadata.js';
export type { CommittedOffset, TopicOffsets } from './offsets.js';
export type { ConfigResourceType } from './resources.js';
export type { ProtocolKafkaConfig } from './settings.js';
