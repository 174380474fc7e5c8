import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { SiemStreamError } from '../../errors.js';
import { FEATURE_NAMES } from './features.js';
import { type ModelMetadata, metadataPath, modelMetadataSchema } from './model-metadata.js';

export interface Score {
  score: number;
  anomaly: boolean;
}

/**
 * One loaded model: an ONNX session and the metadata that says how to feed it. Loading
 * checks everything that could make scores wrong (hash, feature order, a trial inference),
 * so a bad file is refused before it serves a single event.
 */
export class AnomalyModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly metadata: ModelMetadata,
  ) {}

  get version(): string {
    return this.metadata.version;
  }

  static async load(path: string): Promise<AnomalyModel> {
    const fail = (why: string, cause?: unknown) =>
      new SiemStreamError('CONFIG_INVALID', `enricher.model.path: ${path}: ${why}`, { stage: 'enricher', cause });
    // one after the other: when both are missing, the error names the model, not whichever read lost a race
    const bytes = await readFile(path).catch((e: Error) => Promise.reject(fail(`cannot read the model (${e.message})`, e)));
    const json = await readFile(metadataPath(path), 'utf8').catch((e: Error) =>
      Promise.reject(fail(`cannot read its metadata (${e.message})`, e)),
    );
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (e) {
      throw fail(`metadata ${metadataPath(path)} is not JSON`, e);
    }
    const parsed = modelMetadataSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw fail(`metadata ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    const metadata = parsed.data;
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== metadata.modelSha256)
      throw fail(`sha256 ${hash} differs from the metadata's modelSha256 (file and metadata do not belong together)`);
    let session: ort.InferenceSession;
    try {
      // one thread: a stage scores one chunk at a time, and idle ORT pool threads spin on a shared machine
      session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (e) {
      throw fail(`onnxruntime refused the model: ${(e as Error).message}`, e);
    }
    if (!session.inputNames.includes(metadata.input) || !session.outputNames.includes(metadata.scoreOutput)) {
      throw fail(
        `model has inputs [${session.inputNames}] and outputs [${session.outputNames}], metadata names ${metadata.input} → ${metadata.scoreOutput}`,
      );
    }
    const model = new AnomalyModel(session, metadata);
    const trial = await model
      .score([FEATURE_NAMES.map(() => 0)])
      .catch((e: Error) => Promise.reject(fail(`trial inference failed: ${e.message}`, e)));
    if (!Number.isFinite(trial[0]?.score)) throw fail('trial inference gave no finite score');
    return model;
  }

  /** Scores many feature vectors in one inference. */
  async score(vectors: number[][]): Promise<Score[]> {
    if (vectors.length === 0) return [];
    const width = FEATURE_NAMES.length + this.metadata.derived.length;
    const input = new Float32Array(vectors.length * width);
    vectors.forEach((v, row) => {
      this.writeInput(v, input, row * width);
    });
    // all outputs: onnxruntime-node 1.23 returns the wrong output when asked for a subset by name
    const result = await this.session.run({ [this.metadata.input]: new ort.Tensor('float32', input, [vectors.length, width]) });
    const scores = result[this.metadata.scoreOutput]?.data as Float32Array;
    return vectors.map((_, row) => {
      const score = this.metadata.scoreSign * (scores[row] as number);
      return { score, anomaly: score > this.metadata.threshold };
    });
  }

  /** The input models/train.py trained on: scaled features, then how far they lie beyond the training range. */
  private writeInput(vector: number[], input: Float32Array, at: number): void {
    const { offset, scale } = this.metadata.scaling;
    let excessMax = 0;
    let excessSum = 0;
    for (let i = 0; i < FEATURE_NAMES.length; i++) {
      const z = ((vector[i] as number) - (offset[i] as number)) / (scale[i] as number);
      input[at + i] = z;
      const excess = Math.max(z - 1, 0);
      excessMax = Math.max(excessMax, excess);
      excessSum += excess;
    }
    this.metadata.derived.forEach((name, j) => {
      input[at + FEATURE_NAMES.length + j] = name === 'excess_max' ? excessMax : excessSum;
    });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
