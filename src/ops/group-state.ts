import confluent, { type KafkaJS } from '@confluentinc/kafka-javascript';

const { ConsumerGroupStates } = confluent.KafkaJS;

/** Kafka's own names of the group states (what kafka-consumer-groups prints), for librdkafka's numeric enum. */
const NAMES: Record<KafkaJS.ConsumerGroupStates, string> = {
  [ConsumerGroupStates.UNKNOWN]: 'Unknown',
  [ConsumerGroupStates.PREPARING_REBALANCE]: 'PreparingRebalance',
  [ConsumerGroupStates.COMPLETING_REBALANCE]: 'CompletingRebalance',
  [ConsumerGroupStates.STABLE]: 'Stable',
  [ConsumerGroupStates.DEAD]: 'Dead',
  [ConsumerGroupStates.EMPTY]: 'Empty',
};

export const groupStateName = (state: KafkaJS.ConsumerGroupStates): string => NAMES[state] ?? 'Unknown';
