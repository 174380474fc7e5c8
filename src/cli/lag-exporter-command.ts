import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadTopology } from '../config/load.js';
import { createKafka } from '../kafka/client-factory.js';
import { startObservabilityServer } from '../observability/http-server.js';
import { startLagMonitor } from '../observability/lag-metrics.js';
import { rootLogger } from '../observability/logger.js';
import { stageGroups } from '../ops/stage-groups.js';
import { resolveGroups } from './lag-command.js';

export interface LagExporterOptions {
  port: number;
  interval: number;
  group?: string[];
}

/**
 * `siem-stream lag-exporter <topology>`: serves the lag gauges of every stage group on /metrics
 * without running a stage — for KEDA and alerting when stages are scaled to zero or down.
 */
export async function lagExporterCommand(topologyPath: string, options: LagExporterOptions): Promise<void> {
  const topology = loadTopology(topologyPath);
  const kafka = createKafka(topology.kafka, 'lag-exporter');
  const groups = await resolveGroups(kafka, stageGroups(topology), options.group);
  const monitor = startLagMonitor(kafka, topology.kafka, groups, options.interval, rootLogger);
  // ready once the first collection succeeded, so a scrape never sees an empty exporter as healthy
  const server = await startObservabilityServer(options.port, { live: () => true, ready: monitor.collected });
  rootLogger.info({ port: server.port, groups: groups.map((g) => g.group), intervalMs: options.interval }, 'lag exporter listening');
  await new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await monitor.stop();
  await server.close();
  process.exit(0);
}

export function registerLagExporterCommand(program: Command): void {
  const positive = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
    return n;
  };
  program
    .command('lag-exporter')
    .description('serve consumer lag of every stage group as Prometheus metrics')
    .argument('<topology>', 'topology YAML')
    .option('--port <port>', 'port for /metrics, /healthz, /readyz', positive, 9464)
    .option('--interval <ms>', 'how often lag is collected', positive, 15_000)
    .option('--group <id...>', 'only these consumer groups (default: every stage group of the topology)')
    .action((topology: string, o: LagExporterOptions) => lagExporterCommand(topology, o));
}
