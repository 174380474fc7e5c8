import { resolve } from 'node:path';
import { deepMerge, loadTopology } from '../config/load.js';
import type { Topology } from '../config/schema.js';
import { type LocalStack, localSentinelOverrides } from './local-stack.js';

/**
 * topologies/default.yaml pointed at a local stack, with a topic prefix, consumer groups,
 * transactional ids and a bucket named after `id`, so runs sharing one stack never see each
 * other. Tests, benches and the chaos harness all start from this; `overrides` go on top.
 */
export function localTopology(
  stack: Pick<LocalStack, 'kafkaBrokers' | 'registryUrl' | 's3' | 'emulatorUrl' | 'emulatorCaFile'>,
  id: string,
  overrides: Record<string, unknown> = {},
  file = resolve('topologies', 'default.yaml'),
): Topology {
  // every Sentinel sink of the file (events and incidents) to the local emulator, each with a group of the run's own
  const sinks = loadTopology(file, { env: {} }).sinks.map((s) => ({
    ...(s.type === 'sentinel' ? localSentinelOverrides(stack) : {}),
    groupId: `${id}-${s.name}`,
  }));
  return loadTopology(file, {
    env: {},
    overrides: deepMerge(
      {
        name: id,
        kafka: { brokers: stack.kafkaBrokers, clientId: id },
        schemaRegistry: { url: stack.registryUrl },
        topics: { prefix: `${id}.` },
        source: {
          s3: {
            endpoint: stack.s3.endpoint,
            credentials: { accessKeyId: stack.s3.accessKeyId, secretAccessKey: stack.s3.secretAccessKey },
            bucket: id,
            transactionalId: `${id}-source`,
          },
        },
        parser: { groupId: `${id}-parser` },
        enricher: { groupId: `${id}-enricher` },
        sinks,
      },
      overrides,
    ) as Record<string, unknown>,
  });
}
