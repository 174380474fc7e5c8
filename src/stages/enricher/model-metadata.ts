import { z } from 'zod';
import { FEATURE_NAMES } from './features.js';

/** models/<name>.json, written by models/train.py beside the .onnx it describes. */
export const modelMetadataSchema = z
  .object({
    version: z.string().min(1),
    features: z.array(z.string()),
    scaling: z.object({ offset: z.array(z.number()), scale: z.array(z.number().positive()) }),
    derived: z.array(z.literal('excess_max').or(z.literal('excess_sum'))).default([]),
    input: z.string().min(1),
    scoreOutput: z.string().min(1),
    scoreSign: z.union([z.literal(1), z.literal(-1)]),
    threshold: z.number(),
    trainingDataSha256: z.string().regex(/^[0-9a-f]{64}$/),
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .passthrough()
  .superRefine((m, ctx) => {
    if (m.features.join(',') !== FEATURE_NAMES.join(',')) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['features'],
        message: `the model was trained on [${m.features.join(', ')}] but this enricher computes [${FEATURE_NAMES.join(', ')}]; retrain it`,
      });
    }
    for (const key of ['offset', 'scale'] as const) {
      if (m.scaling[key].length !== FEATURE_NAMES.length) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['scaling', key], message: `needs ${FEATURE_NAMES.length} values` });
      }
    }
  });

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export function metadataPath(modelPath: string): string {
  return `${modelPath.replace(/\.onnx$/, '')}.json`;
}
