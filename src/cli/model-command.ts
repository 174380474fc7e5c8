import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadTopology } from '../config/load.js';
import { topicNames } from '../config/topics.js';
import { SiemStreamError } from '../errors.js';
import { createKafka } from '../kafka/client-factory.js';
import { sendLogsToStderr } from '../observability/logger.js';
import { collectTrainingFeatures } from '../ops/model-training/collect-features.js';
import { trainModel } from '../ops/model-training/train-model.js';
import { parseIsoDuration } from '../ops/replay-target.js';
import { EventCodec } from '../schemas/event-codec.js';
import type { EnrichedEvent } from '../schemas/events.js';
import { createRegistry } from '../schemas/registry-client.js';

export interface ModelTrainOptions {
  since: string;
  until?: string;
  out?: string;
  maxRows: number;
  minRows: number;
  includeFlagged?: boolean;
}

/**
 * `siem-stream model train`: the enriched topic's features since a time → models/train.py → the
 * ONNX model, its metadata and card at the topology's model path, where a watching enricher
 * hot-reloads it.
 */
export async function modelTrainCommand(topologyPath: string, o: ModelTrainOptions): Promise<void> {
  sendLogsToStderr();
  const topology = loadTopology(topologyPath);
  const now = Date.now();
  const sinceMs = pointInTime(o.since, '--since', now);
  const untilMs = o.until === undefined ? now : pointInTime(o.until, '--until', now);
  if (untilMs <= sinceMs) throw new SiemStreamError('CONFIG_INVALID', '--until must be after --since');
  const modelPath = o.out ?? topology.enricher.model.path;
  const names = topicNames(topology);
  const kafka = createKafka(topology.kafka, 'model-train');
  const codec = new EventCodec<EnrichedEvent>(createRegistry(topology.schemaRegistry), names.enriched, 'enriched');
  const work = mkdtempSync(join(tmpdir(), 'siem-model-train-'));
  try {
    const csv = join(work, 'features.csv');
    const err = process.stderr;
    err.write(`reading ${names.enriched} from ${new Date(sinceMs).toISOString()} to ${new Date(untilMs).toISOString()}\n`);
    const counts = await collectTrainingFeatures(kafka, codec, csv, {
      sinceMs,
      untilMs,
      maxRows: o.maxRows,
      includeFlagged: o.includeFlagged === true,
      onProgress: (c) => err.write(`  read ${c.read}, training rows ${c.rows}\n`),
    });
    if (counts.rows < o.minRows) {
      throw new SiemStreamError(
        'MODEL_TRAINING_FAILED',
        `only ${counts.rows} training rows in ${names.enriched} for that time (at least ${o.minRows}, --min-rows); the model was left as it is`,
      );
    }
    err.write(`training on ${counts.rows} rows (models/train.py)…\n`);
    const trained = await trainModel(csv, modelPath, { topology: topologyPath, topic: names.enriched, sinceMs, untilMs, counts });
    process.stdout.write(
      `${trained.version}: ${trained.rows} rows, threshold ${trained.threshold} → ${trained.modelPath} (+ ${trained.metadataPath}, ${trained.cardPath})\n` +
        'a running enricher with model.watch reloads it; otherwise send it SIGHUP\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function pointInTime(text: string, flag: string, now: number): number {
  if (text.startsWith('P')) return now - parseIsoDuration(text, flag);
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text))
    throw new SiemStreamError('CONFIG_INVALID', `${flag}: "${text}" is neither an ISO 8601 date(-time) nor a duration (P7D, PT6H)`);
  return ms;
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('the enricher’s anomaly model');
  model
    .command('train')
    .description('train the anomaly model on the enriched topic’s own features and install it at the model path')
    .argument('<topology>', 'topology YAML')
    .requiredOption('--since <when>', 'ISO 8601 date(-time), or a duration back from now (P7D, PT6H)')
    .option('--until <when>', 'end of the training window (default: now)')
    .option('--out <path.onnx>', 'where to write the model (default: the topology’s enricher.model.path)')
    .option('--max-rows <n>', 'stop reading after this many training rows', positive, 500_000)
    .option('--min-rows <n>', 'refuse to train on fewer rows', positive, 1_000)
    .option('--include-flagged', 'also train on events the running model flagged')
    .action((topology: string, o: ModelTrainOptions) => modelTrainCommand(topology, o));
}
