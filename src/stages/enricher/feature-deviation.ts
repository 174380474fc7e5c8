import { FEATURE_NAMES, type FeatureName, type Features } from './features.js';

export interface FeatureDeviation {
  name: FeatureName;
  value: number;
  /** distance outside the training range [offset, offset + scale], in units of scale; ≤ 0 inside it */
  deviation: number;
}

/**
 * How unusual each feature of an event is, measured the way the model sees it: models/train.py
 * scales every feature to its training range, and the model's own `excess_*` inputs are how far
 * a scaled value lies beyond 1. Below 0 counts too (a bytes ratio far below any seen in training).
 */
export function featureDeviations(features: Features, scaling: { offset: number[]; scale: number[] }): FeatureDeviation[] {
  return FEATURE_NAMES.map((name, i) => {
    const value = features[name];
    const z = (value - (scaling.offset[i] as number)) / (scaling.scale[i] as number);
    return { name, value, deviation: Math.max(z - 1, -z) };
  });
}
