import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootLogger } from '../../../src/observability/logger.js';
import { AnomalyModel } from '../../../src/stages/enricher/anomaly-model.js';
import { FEATURE_NAMES } from '../../../src/stages/enricher/features.js';
import { ModelHolder } from '../../../src/stages/enricher/model-holder.js';

const logger = rootLogger.child({ test: 'model-reload' });
const committed = JSON.parse(readFileSync('models/isolation-forest.json', 'utf8')) as Record<string, unknown>;

function modelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'siem-model-'));
  copyFileSync('models/isolation-forest.onnx', join(dir, 'isolation-forest.onnx'));
  copyFileSync('models/isolation-forest.json', join(dir, 'isolation-forest.json'));
  return dir;
}

const vector = [[40, 1, 35, 0, 0.7, 0, 0.25, 0.5, 0]];
const waitUntil = async (probe: () => boolean) => {
  for (let i = 0; i < 600 && !probe(); i++) await new Promise((r) => setTimeout(r, 100));
};

describe('enricher model loading and hot reload', () => {
  it('refuses broken model files with a reason', { timeout: 60_000 }, async () => {
    const dir = modelDir();
    const path = join(dir, 'isolation-forest.onnx');
    writeFileSync(path, Buffer.from('not an onnx model'));
    await expect(AnomalyModel.load(path)).rejects.toThrow(/sha256 .* differs from the metadata's modelSha256/);

    const garbage = Buffer.from('still not an onnx model');
    writeFileSync(path, garbage);
    const { createHash } = await import('node:crypto');
    writeFileSync(
      join(dir, 'isolation-forest.json'),
      JSON.stringify({ ...committed, modelSha256: createHash('sha256').update(garbage).digest('hex') }),
    );
    await expect(AnomalyModel.load(path)).rejects.toThrow(/onnxruntime refused the model/);

    copyFileSync('models/isolation-forest.onnx', path);
    writeFileSync(join(dir, 'isolation-forest.json'), JSON.stringify({ ...committed, features: [...FEATURE_NAMES].reverse() }));
    await expect(AnomalyModel.load(path)).rejects.toThrow(/metadata features: the model was trained on/);
    await expect(AnomalyModel.load(join(dir, 'missing.onnx'))).rejects.toThrow(/cannot read the model/);
  });

  it('swaps in a replaced model on file change and on SIGHUP, and keeps serving when the new one is broken', async () => {
    const dir = modelDir();
    const path = join(dir, 'isolation-forest.onnx');
    const holder = await ModelHolder.start(path, true, logger);
    try {
      const before = holder.model;
      expect(before.version).toBe(committed.version);
      const [original] = await before.score(vector);

      // a broken replacement: refused, the old model keeps serving
      writeFileSync(path, Buffer.from('truncated'));
      await holder.reload('test');
      expect(holder.model).toBe(before);
      expect(await holder.model.score(vector)).toEqual([original]);

      // a good replacement through the file watch: new version, new threshold
      copyFileSync('models/isolation-forest.onnx', path);
      writeFileSync(join(dir, 'isolation-forest.json'), JSON.stringify({ ...committed, version: 'watched-2', threshold: -10 }));
      await waitUntil(() => holder.model.version === 'watched-2');
      expect(holder.model.version).toBe('watched-2');
      expect((await holder.model.score(vector))[0]?.anomaly).toBe(true);

      // and through SIGHUP
      writeFileSync(join(dir, 'isolation-forest.json'), JSON.stringify({ ...committed, version: 'hup-3' }));
      process.kill(process.pid, 'SIGHUP');
      await waitUntil(() => holder.model.version === 'hup-3');
      expect(holder.model.version).toBe('hup-3');
    } finally {
      await holder.close();
    }
  }, 150_000);
});
