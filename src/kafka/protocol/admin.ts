import { type AlterConfigsResource, requestAlterConfigs } from './alter-configs.js';
import { withCluster } from './cluster.js';
import { type DescribeConfigsResource, type ResourceConfigs, requestDescribeConfigs } from './describe-configs.js';
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
