import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AnomalyModel } from '../../../src/stages/enricher/anomaly-model.js';
import { EVALUATION_TRAFFIC } from '../../../src/stages/enricher/training/detection-quality.js';
import { featureRows } from '../../../src/stages/enricher/training/feature-rows.js';
import { labelledTraffic } from '../../../src/stages/enricher/training/labelled-traffic.js';

/**
 * CI retrains the model from a clean checkout (models/train.sh: the enricher's feature code →
 * models/train.py in the pinned venv) and checks that the result is the committed model: same
 * training data, and the same scores on a labelled stream.
 */
describe('models/train.sh reproduces the committed model', () => {
  it('trains on the same data and scores like models/isolation-forest.onnx', async () => {
    const out = mkdtempSync(join(tmpdir(), 'siem-retrain-'));
    // asynchronously: a training run blocks for a minute or more, and a worker blocked that long misses vitest's RPC timeout
    await promisify(execFile)('models/train.sh', [out], { maxBuffer: 64 * 1024 * 1024 });
    const fresh = JSON.parse(readFileSync(join(out, 'isolation-forest.json'), 'utf8'));
    const committed = JSON.parse(readFileSync('models/isolation-forest.json', 'utf8'));
    expect(fresh.trainingDataSha256).toBe(committed.trainingDataSha256);
    expect(fresh.features).toEqual(committed.features);

    const [a, b] = await Promise.all([
      AnomalyModel.load(join(out, 'isolation-forest.onnx')),
      AnomalyModel.load('models/isolation-forest.onnx'),
    ]);
    const vectors = featureRows(labelledTraffic({ ...EVALUATION_TRAFFIC, hosts: 40, users: 20 })).map((r) => r.features);
    const [fromFresh, fromCommitted] = await Promise.all([a.score(vectors), b.score(vectors)]);
    expect(fromFresh.length).toBe(vectors.length);
    fromFresh.forEach((s, i) => {
      expect(s.score).toBeCloseTo(fromCommitted[i]?.score as number, 5);
      expect(s.anomaly).toBe(fromCommitted[i]?.anomaly);
    });
  }, 600_000);
});
