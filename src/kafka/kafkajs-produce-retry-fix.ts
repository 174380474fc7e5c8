import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 retries a produce by broker: it remembers which brokers answered and, after a
 * metadata refresh, sends again every partition now led by a broker that did not. A partition
 * that was already acknowledged by one broker and whose leadership moved to a broker that failed
 * (a broker restart, a preferred-leader election) is sent a second time, with the next sequence
 * number, so the broker appends it again — inside the same transaction, so read_committed readers
 * see the records twice. The chaos harness found this (docs/reliability.md). This replacement
 * keeps kafkajs's request flow but remembers acknowledgements per partition and never sends an
 * acknowledged partition again. It also assigns each message its partition once per send, so a
 * retry cannot move an unkeyed message to another partition. Like the read_committed fix, it must
 * be installed before kafkajs's producer code is loaded.
 */
const require = createRequire(import.meta.url);
const path = (file: string) => require.resolve(`kafkajs/src/${file}`);

interface Broker {
  produce(request: object): Promise<unknown>;
}
interface Message {
  key?: unknown;
  value: unknown;
}
interface PartitionResult {
  topicName: string;
  partition: number;
}
interface Deps {
  logger: { debug(m: string, e?: object): void; error(m: string, e?: object): void };
  cluster: {
    addMultipleTargetTopics(topics: string[]): Promise<void>;
    refreshMetadataIfNecessary(): Promise<void>;
    refreshMetadata(): Promise<void>;
    findTopicPartitionMetadata(topic: string): unknown[];
    findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
    findBroker(o: { nodeId: string }): Promise<Broker>;
    isConnected(): boolean;
    connect(): Promise<void>;
    removeBroker(o: { host: string; port: number }): void;
  };
  partitioner: (o: { topic: string; partitionMetadata: unknown[]; message: Message }) => number;
  eosManager: {
    acquireBrokerLock(b: Broker): Promise<void>;
    releaseBrokerLock(b: Broker): Promise<void>;
    isTransactional(): boolean;
    addPartitionsToTransaction(topicData: TopicData[]): Promise<void>;
    getSequence(topic: string, partition: number): number;
    updateSequence(topic: string, partition: number, increment: number): void;
    getTransactionalId(): string;
    getProducerId(): unknown;
    getProducerEpoch(): unknown;
  };
  retrier: <T>(fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;
}
interface TopicData {
  topic: string;
  partitions: Array<{ partition: number; messages: Message[]; firstSequence?: number }>;
}
interface SendRequest {
  acks: number;
  timeout: number;
  compression: unknown;
  topicMessages: Array<{ topic: string; messages: Message[] }>;
}

const { KafkaJSMetadataNotLoaded } = require(path('errors.js')) as { KafkaJSMetadataNotLoaded: new (m: string) => Error };
const { staleMetadata } = require(path('protocol/error.js')) as { staleMetadata: (e: Error) => boolean };
const responseSerializer = require(path('producer/responseSerializer.js')) as (r: unknown) => PartitionResult[];

export function createSendMessages({ logger, cluster, partitioner, eosManager, retrier }: Deps) {
  return async ({ acks, timeout, compression, topicMessages }: SendRequest): Promise<PartitionResult[]> => {
    /** topic → partition → its messages, decided once */
    const assigned = new Map<string, Map<number, Message[]>>();
    /** `topic:partition` → the broker's answer, once acknowledged */
    const acknowledged = new Map<string, PartitionResult | undefined>();
    const ackKey = (topic: string, partition: number) => `${topic}:${partition}`;

    const assign = (topic: string, messages: Message[]) => {
      const known = assigned.get(topic);
      if (known) return known;
      const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
      if (partitionMetadata.length === 0) {
        logger.debug('Producing to topic without metadata', { topic });
        throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata');
      }
      const byPartition = new Map<number, Message[]>();
      for (const message of messages) {
        const partition = partitioner({ topic, partitionMetadata, message });
        byPartition.set(partition, [...(byPartition.get(partition) ?? []), message]);
      }
      assigned.set(topic, byPartition);
      return byPartition;
    };

    const sendToBroker = async (nodeId: string, topicData: TopicData[]) => {
      const broker = await cluster.findBroker({ nodeId });
      await eosManager.acquireBrokerLock(broker);
      try {
        if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
        for (const { topic, partitions } of topicData) {
          for (const entry of partitions) {
            entry.firstSequence = eosManager.getSequence(topic, entry.partition);
            eosManager.updateSequence(topic, entry.partition, entry.messages.length);
          }
        }
        let response: unknown;
        try {
          response = await broker.produce({
            transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
            producerId: eosManager.getProducerId(),
            producerEpoch: eosManager.getProducerEpoch(),
            acks,
            timeout,
            compression,
            topicData,
          });
        } catch (error) {
          // not acknowledged: the retry reuses these sequence numbers, so a batch the broker did
          // append is recognised as a duplicate rather than appended again
          for (const { topic, partitions } of topicData) {
            for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
          }
          throw error;
        }
        const results = acks !== 0 ? responseSerializer(response) : [];
        for (const { topic, partitions } of topicData) {
          for (const entry of partitions) {
            acknowledged.set(
              ackKey(topic, entry.partition),
              results.find((r) => r.topicName === topic && r.partition === entry.partition),
            );
          }
        }
      } finally {
        await eosManager.releaseBrokerLock(broker);
      }
    };

    return retrier(async (bail, retryCount, retryTime) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }) => topic));
      try {
        await cluster.refreshMetadataIfNecessary();
        const perBroker = new Map<string, TopicData[]>();
        for (const { topic, messages } of topicMessages) {
          const byPartition = assign(topic, messages);
          const pending = [...byPartition.keys()].filter((p) => !acknowledged.has(ackKey(topic, p)));
          if (pending.length === 0) continue;
          for (const [nodeId, partitions] of Object.entries(cluster.findLeaderForPartitions(topic, pending))) {
            const list = perBroker.get(nodeId) ?? [];
            list.push({
              topic,
              partitions: partitions.map((partition) => ({ partition, messages: byPartition.get(Number(partition)) ?? [] })),
            });
            perBroker.set(nodeId, list);
          }
        }
        // every broker's request settles before a retry: one broker failing while another's produce
        // still waits for its acknowledgement must not make the retry send that partition again
        const settled = await Promise.allSettled([...perBroker].map(([nodeId, topicData]) => sendToBroker(nodeId, topicData)));
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        return [...acknowledged.values()].filter((r): r is PartitionResult => r !== undefined);
      } catch (e) {
        const error = e as Error & { host: string; port: number; retriable?: boolean };
        if (error.name === 'KafkaJSConnectionClosedError') cluster.removeBroker({ host: error.host, port: error.port });
        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${error.message}`, { retryCount, retryTime });
          await cluster.connect();
          await cluster.refreshMetadata();
          throw error;
        }
        if (
          staleMetadata(error) ||
          ['KafkaJSMetadataNotLoaded', 'KafkaJSConnectionError', 'KafkaJSConnectionClosedError'].includes(error.name) ||
          (error.name === 'KafkaJSProtocolError' && error.retriable)
        ) {
          logger.error(`Failed to send messages: ${error.message}`, { retryCount, retryTime });
          await cluster.refreshMetadata();
          throw error;
        }
        logger.error(error.message, { retryCount, retryTime });
        if (error.retriable) throw error;
        bail(error);
        return [];
      }
    });
  };
}

const PATCHED = Symbol.for('siem-stream.kafkajs-produce-retry-fix');
const sendMessagesPath = path('producer/sendMessages.js');
require(sendMessagesPath);
const cached = require.cache[sendMessagesPath];
const alreadyFixed = (cached?.exports as Record<symbol, unknown> | undefined)?.[PATCHED] === true;
if (!alreadyFixed) {
  if (require.cache[path('producer/messageProducer.js')]) {
    throw new Error('kafkajs was loaded before src/kafka/kafkajs-produce-retry-fix.ts; import the fix first');
  }
  if (cached) cached.exports = Object.assign(createSendMessages, { [PATCHED]: true });
}
