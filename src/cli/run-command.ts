import { loadTopology } from '../config/load.js';
import { SiemStreamError } from '../errors.js';
import { checkKafkaAccess } from '../kafka/access-check.js';
import { ensureTopics, topologyTopics } from '../kafka/admin.js';
import { createKafka } from '../kafka/client-factory.js';
import { startObservabilityServer } from '../observability/http-server.js';
import { startLagMonitor } from '../observability/lag-metrics.js';
import { rootLogger } from '../observability/logger.js';
import { expectStage, processReady, readinessReport, reportStopping } from '../observability/readiness.js';
import { stageGroups } from '../ops/stage-groups.js';
import { exitOnFailure } from '../runtime/exit-on-failure.js';
import { type RunningStage, stageNames, startStage } from '../runtime/stages.js';

export interface RunOptions {
  stage?: string[];
  all?: boolean;
  createTopics: boolean;
  metricsPort?: number;
  shutdownDeadlineMs: number;
  /** how often the lag gauges are refreshed; 0 turns lag metrics off */
  lagIntervalMs: number;
}

/**
 * `siem-stream run <topology> --stage <name>|--all`: runs stages until SIGTERM/SIGINT, then stops
 * them gracefully (each finishes or aborts its in-flight transaction or upload, commits, leaves
 * its group) and exits 0 — or exits 1 when that takes longer than the shutdown deadline.
 */
export async function runCommand(topologyPath: string, options: RunOptions): Promise<void> {
  const signalled = nextStopSignal();
  const topology = loadTopology(topologyPath, { logger: rootLogger });
  const wanted = options.all ? stageNames(topology) : (options.stage ?? []);
  if (wanted.length === 0)
    throw new SiemStreamError('CONFIG_INVALID', `name a stage with --stage (one of: ${stageNames(topology).join(', ')}) or use --all`);
  const unknown = wanted.filter((s) => !stageNames(topology).includes(s));
  if (unknown.length > 0)
    throw new SiemStreamError(
      'CONFIG_INVALID',
      `unknown stage(s) ${unknown.join(', ')}; this topology has: ${stageNames(topology).join(', ')}`,
    );

  await checkKafkaAccess(topology.kafka, rootLogger);
  const kafka = createKafka(topology.kafka, 'admin');
  if (options.createTopics) await ensureTopics(kafka, topologyTopics(topology));
  for (const name of wanted) expectStage(name);
  const running: RunningStage[] = [];
  const server = await startObservabilityServer(options.metricsPort ?? topology.metrics.port, {
    live: () => true,
    // ready: every stage assigned (readiness.ts) and none still restoring state (RunningStage.ready)
    ready: () => processReady() && running.length === wanted.length && running.every((s) => s.ready?.() ?? true),
    report: readinessReport,
  });
  rootLogger.info({ stages: wanted, metricsPort: server.port }, 'starting stages');
  let stopRequested = false;
  void signalled.then(() => {
    stopRequested = true;
  });
  const stopAll = () => Promise.allSettled(running.map((s) => s.stop()));
  for (const name of wanted) {
    if (stopRequested) break;
    const stage = await startStage(topology, name);
    running.push(stage);
    exitOnFailure(stage, stopAll, rootLogger);
  }
  const groups = stageGroups(topology).filter((g) => wanted.includes(g.stage));
  const lag =
    options.lagIntervalMs > 0 && groups.length > 0
      ? startLagMonitor(kafka, topology.kafka, groups, options.lagIntervalMs, rootLogger)
      : undefined;

  const signal = await signalled;
  reportStopping();
  const deadlineMs = options.shutdownDeadlineMs;
  rootLogger.info({ signal, deadlineMs }, 'stopping stages');
  const deadline = setTimeout(() => {
    rootLogger.error({ deadlineMs }, 'shutdown deadline passed; exiting without a clean stop');
    process.exit(1);
  }, deadlineMs);
  const results = await Promise.allSettled([lag?.stop(), ...running.reverse().map((s) => s.stop())]);
  await server.close();
  clearTimeout(deadline);
  const failed = results.filter((r) => r.status === 'rejected');
  for (const f of failed) rootLogger.error({ err: (f as PromiseRejectedResult).reason }, 'a stage did not stop cleanly');
  rootLogger.info({ signal, failed: failed.length }, 'stopped');
  // the client may keep sockets or timers alive after disconnect; the stages are stopped, so leave now
  process.exit(failed.length > 0 ? 1 : 0);
}

function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
