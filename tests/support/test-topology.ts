import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { deepMerge, loadTopology } from '../../src/config/load.js';
import type { Topology } from '../../src/config/schema.js';
import { localSentinelOverrides } from '../../src/dev/local-stack.js';

/**
 * topologies/default.yaml pointed at the test stack, with a topic prefix, consumer groups,
 * transactional ids and a bucket of its own, so tests sharing one broker never see each other.
 */
export function testTopology(overrides: Record<string, unknown> = {}): Topology {
  const stack = inject('stack');
  const id = randomUUID().slice(0, 8);
  return loadTopology('topologies/default.yaml', {
    env: {},
    overrides: deepMerge(
      {
        name: `test-${id}`,
        kafka: { brokers: stack.kafkaBrokers, clientId: `test-${id}` },
        schemaRegistry: { url: stack.registryUrl },
        topics: { prefix: `t${id}.` },
        source: {
          s3: {
            endpoint: stack.s3.endpoint,
            credentials: { accessKeyId: stack.s3.accessKeyId, secretAccessKey: stack.s3.secretAccessKey },
            bucket: `test-${id}`,
            transactionalId: `test-${id}-source`,
            pollIntervalMs: 500,
          },
        },
        parser: { groupId: `test-${id}-parser` },
        enricher: { groupId: `test-${id}-enricher` },
        sinks: [{ ...localSentinelOverrides(stack), groupId: `test-${id}-sentinel` }],
      },
      overrides,
    ) as Record<string, unknown>,
  });
}
