import { setTimeout as sleep } from 'node:timers/promises';
import { type AlterConfigsResource, requestAlterConfigs } from './alter-configs.js';
import { withCluster } from './cluster.js';
import { type DescribeConfigsResource, type ResourceConfigs, requestDescribeConfigs } from './describe-configs.js';
import { KafkaProtocolError } from './errors.js';
import { type GroupDescription, groupDescription, requestDescribeGroup, requestFindCoordinator } from './groups.js';
import type { ClusterMetadata } from './metadata.js';
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

/** The errors that mean the group's coordinator is moving or starting: worth finding it again, once. */
const COORDINATOR_MOVING = new Set(['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE']);
const RETRY_PAUSE_MS = 250;

/**
 * A classic consumer group's state and members, from its coordinator (FindCoordinator, then
 * DescribeGroups). A group that does not exist is Dead with no members. When the coordinator is
 * moving (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) it is found
 * and asked again, once; any other error, and the second, is a KafkaProtocolError naming the group.
 */
export function describeGroup(config: ProtocolKafkaConfig, groupId: string): Promise<GroupDescription> {
  return withCluster(config, async (cluster) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const coordinator = await cluster.at(await requestFindCoordinator(await cluster.any(), groupId));
        return groupDescription(await requestDescribeGroup(coordinator, groupId), coordinator.address);
      } catch (error) {
        const moving = error instanceof KafkaProtocolError && COORDINATOR_MOVING.has(error.kafkaError ?? '');
        if (!moving || attempt > 1) throw error;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  });
}
