import { loadTopology } from '../config/load.js';
import type { Topology } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import { ensureTopics, topologyTopics } from '../kafka/admin.js';
import { createKafka } from '../kafka/client-factory.js';
import { startObservabilityServer } from '../observability/http-server.js';
import { rootLogger } from '../observability/logger.js';
import { type RunningStage, stageNames, startStage } from '../runtime/stages.js';

export interface RunOptions {
  stage?: string[];
  all?: boolean;
  createTopics: boolean;
  metricsPort?: number;
  shutdownDeadlineMs: number;
}

/** `siem-stream run <topology> --stage <name>|--all`: runs stages until SIGTERM/SIGINT. */
export async function runCommand(topologyPath: string, options: RunOptions): Promise<void> {
  const topology = loadTopology(topologyPath);
  const wanted = options.all ? stageNames(topology) : (options.stage ?? []);
  if (wanted.length === 0)
    throw new SiemStreamError('CONFIG_INVALID', `name a stage with --stage (one of: ${stageNames(topology).join(', ')}) or use --all`);
  const unknown = wanted.filter((s) => !stageNames(topology).includes(s));
  if (unknown.length > 0)
    throw new SiemStreamError(
      'CONFIG_INVALID',
      `unknown stage(s) ${unknown.join(', ')}; this topology has: ${stageNames(topology).join(', ')}`,
    );

  if (options.createTopics) await ensureTopics(createKafka(topology.kafka, 'admin'), topologyTopics(topology));
  const running: RunningStage[] = [];
  const server = await startObservabilityServer(options.metricsPort ?? topology.metrics.port, {
    live: () => true,
    ready: () => running.length === wanted.length && running.every((s) => s.ready?.() ?? true),
  });
  rootLogger.info({ stages: wanted, metricsPort: server.port }, 'starting stages');
  for (const name of wanted) running.push(await startStage(topology, name));
  await waitForShutdown(running, server, options.shutdownDeadlineMs, topology);
}

async function waitForShutdown(running: RunningStage[], server: { close(): Promise<void> }, deadlineMs: number, topology: Topology) {
  await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  rootLogger.info({ topology: topology.name }, 'shutting down');
  const deadline = setTimeout(() => {
    rootLogger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
    process.exit(1);
  }, deadlineMs);
  await Promise.allSettled(running.reverse().map((s) => s.stop()));
  await server.close();
  clearTimeout(deadline);
}
