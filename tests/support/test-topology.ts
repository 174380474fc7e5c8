import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { localTopology } from '../../src/dev/local-topology.js';

/**
 * topologies/default.yaml pointed at the test stack, with a topic prefix, consumer groups,
 * transactional ids and a bucket of its own, so tests sharing one broker never see each other.
 */
export function testTopology(overrides: Record<string, unknown> = {}): Topology {
  return localTopology(inject('stack'), `test-${randomUUID().slice(0, 8)}`, overrides);
}
