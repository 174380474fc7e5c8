import type { Command } from 'commander';
import { loadTopology } from '../config/load.js';
import type { Kafka } from '../kafka/client.js';
import { createKafka } from '../kafka/client-factory.js';
import { fetchGroupOffsets } from '../kafka/protocol/index.js';
import { kafkaSettingsOf } from '../kafka/rdkafka.js';
import { sendLogsToStderr } from '../observability/logger.js';
import { describeLag, type GroupTopics } from '../ops/lag.js';
import { formatLagTable, lagRowsAsJson } from '../ops/lag-table.js';
import { stageGroups } from '../ops/stage-groups.js';

export interface LagOptions {
  group?: string[];
  json?: boolean;
  seconds: boolean;
}

/** `siem-stream lag <topology>`: lag per group/topic/partition; exit code 2 when a group lost data to retention. */
export async function lagCommand(topologyPath: string, options: LagOptions): Promise<void> {
  sendLogsToStderr(); // stdout is the result
  const topology = loadTopology(topologyPath);
  const kafka = createKafka(topology.kafka, 'lag');
  const groups = await resolveGroups(kafka, stageGroups(topology), options.group);
  const rows = await describeLag(kafka, topology.kafka, groups, { seconds: options.seconds });
  process.stdout.write(options.json ? lagRowsAsJson(rows) : formatLagTable(rows));
  const lost = rows.filter((r) => r.dataLoss);
  if (lost.length > 0) {
    process.stderr.write(
      `siem-stream: DATA LOSS: ${[...new Set(lost.map((r) => r.group))].join(', ')} committed below the log start; see docs/operations.md#lag-is-growing\n`,
    );
    process.exitCode = 2;
  }
}

/** Named groups of the topology keep its topics; any other group is described by the topics it committed on. */
export async function resolveGroups(kafka: Kafka, known: GroupTopics[], wanted: string[] | undefined): Promise<GroupTopics[]> {
  if (!wanted || wanted.length === 0) return known;
  return Promise.all(
    wanted.map(async (group) => {
      const found = known.find((k) => k.group === group);
      if (found) return found;
      // not librdkafka's fetchOffsets, which crashes the process on NOT_COORDINATOR: see fetchGroupOffsets
      const committed = await fetchGroupOffsets(kafkaSettingsOf(kafka), group);
      return { group, topics: committed.map((c) => c.topic) };
    }),
  );
}

export function registerLagCommand(program: Command): void {
  program
    .command('lag')
    .description('consumer lag per group/topic/partition: offsets, records, seconds, and data lost to retention')
    .argument('<topology>', 'topology YAML')
    .option('--group <id...>', 'only these consumer groups (default: every stage group of the topology)')
    .option('--json', 'print JSON instead of a table')
    .option('--no-seconds', 'skip lag in seconds (it reads one record per lagging partition)')
    .action((topology: string, o: LagOptions) => lagCommand(topology, o));
}
