import { setTimeout as sleep } from 'node:timers/promises';
import { type AlterConfigsResource, requestAlterConfigs } from './alter-configs.js';
import { withCluster } from './cluster.js';
import { type DescribeConfigsResource, type ResourceConfigs, requestDescribeConfigs } from './describe-configs.js';
import { KafkaProtocolError } from './errors.js';
import { type GroupDescription, groupDescription, requestDescribeGroup, requestFindCoordinator } from './groups.js';
import type { ClusterMetadata } from './metadata.js';
import { committedOffsets, requestOffsetFetch, type TopicOffsets } from './offsets.js';
import { groupByTarget } from './resources.js';
import type { ProtocolKafkaConfig } from './settings.js';

/** The cluster's live brokers (node id, host, port as advertised on the listener asked) and the controller id. */
export function describeCluster(config: ProtocolKafkaConfig): Promise<ClusterMetadata> {
  return withCluster(config, (cluster) => cluster.clusterMetadata());
}

/**
 * The configs of each resource, in the order asked. A resource the broker reports an error for
 * (an unknown topic, say) fails the whole call with a KafkaProtocolError that names it.
 */
export function describeConfigs(config: ProtocolKafkaConfig, resources: DescribeConfigsResource[]): Promise<ResourceConfigs[]> {
  return withCluster(config, async (cluster) => {
    const results: ResourceConfigs[] = new Array(resources.length);
    for (const group of groupByTarget(resources)) {
      const session = group.node === undefined ? await cluster.any() : await cluster.node(group.node);
      const answers = await requestDescribeConfigs(session, group.resources);
      answers.forEach((answer, i) => {
        results[group.positions[i] as number] = answer;
      });
    }
    return results;
  });
}

/**
 * Sets and deletes configs (IncrementalAlterConfigs: the configs not named keep their values). A
 * deleted config falls back to its default. `validateOnly` asks the broker to check without changing.
 */
export function alterConfigs(
  config: ProtocolKafkaConfig,
  resources: AlterConfigsResource[],
  options: { validateOnly?: boolean } = {},
): Promise<void> {
  return withCluster(config, async (cluster) => {
    for (const group of groupByTarget(resources)) {
      const session = group.node === undefined ? await cluster.any() : await cluster.node(group.node);
      await requestAlterConfigs(session, group.resources, options.validateOnly ?? false);
    }
  });
}

/** The errors that mean the group's coordinator is moving or starting: worth finding it again. */
const COORDINATOR_MOVING = ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE'];
/**
 * 4 tries in all, after pauses of 250, 500 and 750 ms: a fresh cluster's coordinator loaded its
 * partitions ~300 ms after they were created on the test stack, under load (one 250 ms pause was too
 * short). A lag monitor or liveness check that still fails asks again at its next round.
 */
const COORDINATOR_RETRY = { attempts: 4, pauseMs: 250 };

/**
 * Runs `work` again while it fails with a retriable broker error named in `on` (a
 * KafkaProtocolError's `kafkaError`; several errors combined count as retriable only when all are),
 * `attempts` times in all, pausing `pauseMs` × the attempt before each retry; any other error, and
 * the last, is thrown as it is.
 */
export async function retryBrokerErrors<T>(
  work: () => Promise<T>,
  retry: { on: readonly string[]; attempts: number; pauseMs: number },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const again = error instanceof KafkaProtocolError && error.retriable && retry.on.includes(error.kafkaError ?? '');
      if (!again || attempt >= retry.attempts) throw error;
      await sleep(retry.pauseMs * attempt);
    }
  }
}

/**
 * A classic consumer group's state and members, from its coordinator (FindCoordinator, then
 * DescribeGroups). A group that does not exist is Dead with no members. When the coordinator is
 * moving (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) it is found
 * and asked again (COORDINATOR_RETRY); any other error, and the last, is a KafkaProtocolError naming the group.
 */
export function describeGroup(config: ProtocolKafkaConfig, groupId: string): Promise<GroupDescription> {
  return withCluster(config, (cluster) =>
    retryBrokerErrors(
      async () => {
        const coordinator = await cluster.at(await requestFindCoordinator(await cluster.any(), groupId));
        return groupDescription(await requestDescribeGroup(coordinator, groupId), coordinator.address);
      },
      { on: COORDINATOR_MOVING, ...COORDINATOR_RETRY },
    ),
  );
}

/**
 * The group's committed offsets per topic (all the topics it committed on, or those of `topics`
 * among them), partitions by number, offset -1n where it has none: from its coordinator
 * (FindCoordinator, then OffsetFetch v2-v7). The project's own request, not librdkafka's admin
 * `fetchOffsets` (ListConsumerGroupOffsets): librdkafka 2.15 crashes the whole process (SIGSEGV)
 * when the broker answers that with NOT_COORDINATOR — it asks the consumer-group handle, which an
 * admin client does not have, to find the coordinator again (`rd_kafka_cgrp_op(rkcg=NULL)` from
 * `rd_kafka_handle_OffsetFetch`) — and brokers answer so whenever a coordinator moves or loads: a
 * fresh cluster, a broker restart, a failover. Every stage's lag monitor fetches offsets.
 *
 * While the coordinator is moving (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE) it is found and asked again (COORDINATOR_RETRY, as describeGroup);
 * any other error of the group or of a partition asked for, and the last, is a KafkaProtocolError
 * naming the group.
 *
 * `requireStable` (OffsetFetch v7+, KIP-447) makes the broker refuse, with UNSTABLE_OFFSET_COMMIT
 * (retried the same way), a partition whose offsets an open transaction is about to commit. Without
 * it (the default, and what librdkafka's admin asked) the broker answers the last committed offset:
 * an open transaction's offsets are never returned either way. Lag wants the committed offsets as
 * they are: with `requireStable` the lag of a group whose producer hangs in a transaction (a
 * stopped process) could not be read until the transaction timed out.
 */
export function fetchGroupOffsets(
  config: ProtocolKafkaConfig,
  groupId: string,
  topics?: readonly string[],
  options: { requireStable?: boolean } = {},
): Promise<TopicOffsets[]> {
  const requireStable = options.requireStable ?? false;
  return withCluster(config, (cluster) =>
    retryBrokerErrors(
      async () => {
        const coordinator = await cluster.at(await requestFindCoordinator(await cluster.any(), groupId));
        return committedOffsets(await requestOffsetFetch(coordinator, groupId, requireStable), groupId, coordinator.address, topics);
      },
      { on: [...COORDINATOR_MOVING, 'UNSTABLE_OFFSET_COMMIT'], ...COORDINATOR_RETRY },
    ),
  );
}
