import type { Command } from 'commander';
import { loadTopology } from '../config/load.js';
import { SiemStreamError } from '../errors.js';
import { createKafka } from '../kafka/client-factory.js';
import { sendLogsToStderr } from '../observability/logger.js';
import { assertNoLiveMembers, executeReplay, planReplay, type ReplayPlan } from '../ops/replay-plan.js';
import { describeTarget, parseReplayTarget, type ReplayTargetOptions } from '../ops/replay-target.js';
import { stageGroup } from '../ops/stage-groups.js';

export interface ReplayOptions extends ReplayTargetOptions {
  stage: string;
  intoGroup?: string;
  execute?: boolean;
  json?: boolean;
}

/**
 * `siem-stream replay`: a dry run prints the plan per partition; --execute commits it. The stage's
 * group must have no live members; --into-group leaves the live group alone and positions a new one.
 */
export async function replayCommand(topologyPath: string, options: ReplayOptions): Promise<void> {
  sendLogsToStderr(); // stdout is the result
  const topology = loadTopology(topologyPath);
  const target = parseReplayTarget(options);
  const { group, topics } = stageGroup(topology, options.stage);
  if (options.intoGroup === group)
    throw new SiemStreamError('CONFIG_INVALID', `--into-group must name a group other than the stage's own (${group})`);
  const kafka = createKafka(topology.kafka, 'replay');
  const plan = await planReplay(kafka, topology.kafka, { stageGroup: group, intoGroup: options.intoGroup, topics, target });
  const out = process.stdout;
  if (options.json) out.write(`${JSON.stringify(planAsJson(plan, options.execute === true), null, 2)}\n`);
  else out.write(formatPlan(plan, `${options.stage}: replay ${describeTarget(target)}`));
  if (!options.execute) {
    if (!options.json) out.write('\ndry run: nothing changed. Add --execute to apply this plan.\n');
    if (plan.liveMembers > 0) process.stderr.write(`siem-stream: note: ${liveMessage(plan)}\n`);
    return;
  }
  assertNoLiveMembers(plan);
  await executeReplay(kafka, plan);
  const next = options.intoGroup
    ? `start the stage with its group set to ${options.intoGroup} (e.g. ${groupOverride(options.stage)}=${options.intoGroup}) to reprocess into it`
    : 'start the stage again to reprocess';
  if (!options.json) out.write(`\napplied: ${plan.group} now sits at the target offsets; ${next}.\n`);
}

function groupOverride(stage: string): string {
  if (stage === 'parser' || stage === 'enricher') return `SIEM_STREAM__${stage.toUpperCase()}__GROUPID`;
  return "the sink's groupId in the topology";
}

function liveMessage(plan: ReplayPlan): string {
  return `group ${plan.group} has ${plan.liveMembers} live member(s); --execute will refuse until every instance of the stage is stopped`;
}

export function formatPlan(plan: ReplayPlan, title: string): string {
  const header = ['TOPIC', 'PARTITION', 'CURRENT', 'TARGET', 'LOG-START', 'END', 'REPROCESS'];
  const cells = plan.rows.map((r) => [
    r.topic,
    String(r.partition),
    r.current === null ? '-' : r.current.toString(),
    r.target.toString(),
    r.logStart.toString(),
    r.end.toString(),
    r.reprocess >= 0n ? r.reprocess.toString() : `skips ${-r.reprocess}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const total = plan.rows.reduce((n, r) => n + (r.reprocess > 0n ? r.reprocess : 0n), 0n);
  const into = plan.group === plan.stageGroup ? '' : ` (new group; the live group ${plan.stageGroup} is not touched)`;
  const lines = [
    title,
    `group ${plan.group}${into}: state ${plan.groupState}, ${plan.liveMembers} live member(s)`,
    '',
    line(header),
    ...cells.map(line),
    '',
    `records to reprocess: ${total}`,
    ...plan.clamped.map((c) => `clamped to the partition's bounds: ${c}`),
  ];
  return `${lines.join('\n')}\n`;
}

function planAsJson(plan: ReplayPlan, executed: boolean) {
  return {
    ...plan,
    executed,
    rows: plan.rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      current: r.current?.toString() ?? null,
      target: r.target.toString(),
      logStart: r.logStart.toString(),
      end: r.end.toString(),
      reprocess: r.reprocess.toString(),
    })),
  };
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description("move a stage's consumer group back (or forward) to reprocess; a dry run unless --execute")
    .argument('<topology>', 'topology YAML')
    .requiredOption('--stage <name>', 'parser, enricher or a sink name')
    .option('--to-datetime <iso>', 'reprocess records with a timestamp at or after this ISO 8601 date-time')
    .option('--by-duration <duration>', 'reprocess the last ISO 8601 duration (P1D, PT6H)')
    .option('--to-offset <spec>', 'N for every partition, P=N per partition, TOPIC:P=N for one')
    .option('--to-earliest', 'reprocess everything still in the topics')
    .option('--into-group <name>', 'position this new consumer group instead of the live one')
    .option('--execute', 'apply the plan (the stage must be stopped)')
    .option('--json', 'print the plan as JSON')
    .action((topology: string, o: ReplayOptions) => replayCommand(topology, o));
}
