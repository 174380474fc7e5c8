import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SiemStreamError } from '../../errors.js';
import type { CollectCounts } from './collect-features.js';

const run = promisify(execFile);
/** models/ of the installed package: dist/ops/model-training → ../../../models */
const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');

export interface TrainedModel {
  version: string;
  threshold: number;
  /** the share of the training scores below the threshold */
  thresholdQuantile: number;
  rows: number;
  modelPath: string;
  metadataPath: string;
  cardPath: string;
}

export interface TrainingSource {
  topology: string;
  topic: string;
  sinceMs: number;
  untilMs: number;
  counts: CollectCounts;
}

/**
 * Trains models/train.py (in the pinned venv models/setup-venv.sh makes) on a features CSV and
 * puts the model, its metadata and its card at `modelPath` (`x.onnx`, `x.json`, `x.card.md`).
 * The files are written beside the target and renamed into place, the metadata last, so a
 * watching enricher never loads half a model: it refuses the new .onnx until its metadata arrives.
 */
export async function trainModel(csvPath: string, modelPath: string, source: TrainingSource): Promise<TrainedModel> {
  if (!modelPath.endsWith('.onnx')) throw new SiemStreamError('CONFIG_INVALID', `--out: ${modelPath} must end in .onnx`);
  const staging = mkdtempSync(join(dirname(resolve(modelPath)), '.training-'));
  try {
    const { stdout } = await run(join(MODELS_DIR, 'setup-venv.sh'), [], { maxBuffer: 16 * 1024 * 1024 });
    const python = stdout.trim();
    await run(python, [join(MODELS_DIR, 'train.py'), csvPath, staging], { maxBuffer: 64 * 1024 * 1024 }).catch(
      (e: Error & { stderr?: string }) => {
        throw new SiemStreamError('MODEL_TRAINING_FAILED', `models/train.py failed: ${(e.stderr ?? e.message).trim().slice(-2_000)}`, {
          cause: e,
        });
      },
    );
    const metadata = JSON.parse(readFileSync(join(staging, 'isolation-forest.json'), 'utf8')) as {
      version: string;
      threshold: number;
      thresholdQuantile: number;
      trainingRows: number;
      [key: string]: unknown;
    };
    const base = modelPath.replace(/\.onnx$/, '');
    const trained: TrainedModel = {
      version: metadata.version,
      threshold: metadata.threshold,
      thresholdQuantile: metadata.thresholdQuantile,
      rows: metadata.trainingRows,
      modelPath,
      metadataPath: `${base}.json`,
      cardPath: `${base}.card.md`,
    };
    const withSource = { ...metadata, trainedFrom: { ...source, since: iso(source.sinceMs), until: iso(source.untilMs) } };
    writeFileSync(join(staging, 'isolation-forest.json'), `${JSON.stringify(withSource, null, 2)}\n`);
    writeFileSync(trained.cardPath, modelCard(trained, source, basename(modelPath)));
    renameSync(join(staging, 'isolation-forest.onnx'), modelPath);
    renameSync(join(staging, 'isolation-forest.json'), trained.metadataPath);
    return trained;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function modelCard(m: TrainedModel, s: TrainingSource, file: string): string {
  const table = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `| ${k} | ${v} |`)
      .join('\n');
  return `# Model card: ${file}

**Version** ${m.version} — an Isolation Forest trained by \`siem-stream model train\` (models/train.py) on
this deployment's own traffic. Threshold (the ${Math.round(m.thresholdQuantile * 1000) / 10}th percentile of its training scores): ${m.threshold}.
The enricher flags above the higher of it and each log type's calibrated threshold (docs/enrichment.md).

**Training data.** ${m.rows} events of \`${s.topic}\` (topology \`${s.topology}\`) with record
timestamps from ${iso(s.sinceMs)} to ${iso(s.untilMs)}, the features exactly as the enricher computed
them. Read ${s.counts.read}; left out: ${s.counts.flagged} the running model flagged, ${s.counts.withoutFeatures} without
features, ${s.counts.undecodable} not decodable.

| log type | events |
| --- | ---: |
${table(s.counts.byLogType)}

Scored by the models then running: ${
    Object.entries(s.counts.modelVersions)
      .map(([v, n]) => `${v} (${n})`)
      .join(', ') || 'none'
  }.

**Limits.** It learns what this traffic called normal: an attack already in the training window,
and not flagged by the model then running, becomes normal to it. It sees only the model features
(docs/enrichment.md, "Features"); what they cannot show it cannot detect.
`;
}
