import { API } from './apis.js';
import { brokerError, KafkaProtocolError } from './errors.js';
import type { BrokerSession } from './session.js';

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ClusterMetadata {
  clusterId: string | null;
  /**
   * The node id the broker reports as controller. On a KRaft cluster clients cannot reach the
   * controllers, and brokers report one of the live brokers here (what kafkajs' describeCluster gave too).
   */
  controller: number;
  brokers: BrokerNode[];
}

/** Metadata for no topic (an empty topic array; null would mean all topics): the brokers and the controller id. */
export function requestClusterMetadata(session: BrokerSession): Promise<ClusterMetadata> {
  return session.call(
    API.metadata,
    (body, version) => {
      body.array([], () => {});
      body.bool(false); // allow_auto_topic_creation (v4+)
      if (version >= 8 && version <= 10) body.bool(false); // include_cluster_authorized_operations
      if (version >= 8) body.bool(false); // include_topic_authorized_operations
      body.taggedFields();
    },
    (body, version) => {
      body.int32(); // throttle time
      const brokers = body.array(() => {
        const broker = { nodeId: body.int32(), host: body.string(), port: body.int32(), rack: body.nullableString() };
        body.taggedFields();
        return broker;
      });
      const clusterId = body.nullableString();
      const controller = body.int32();
      const topics = body.array(() => undefined);
      if (topics.length > 0) {
        throw new KafkaProtocolError(`${session.address} answered a Metadata request for no topics with topics`, { retriable: false });
      }
      if (version >= 8 && version <= 10) body.int32(); // cluster authorized operations
      const errorCode = version >= 13 ? body.int16() : 0;
      body.taggedFields();
      if (errorCode !== 0) throw brokerError(`asking ${session.address} for the cluster metadata`, errorCode);
      return { clusterId, controller, brokers };
    },
  );
}
