/**
 * The model artifact: plain JSON that predicts on its own. It names its feature set and
 * feature list, so a server loading it computes exactly the features it was trained on,
 * and it is checked on load, so a corrupt file is an error, never a wrong answer.
 */
import { featureNames, writeFeatures, type FeatureInput, type FeatureSet } from './features';
import { predictGbm, type GbmParams, type TreeArrays } from './gbm';
import type { Scores } from './metrics';

export const artifactFormat = 'brewlake-ibu-gbm/1';

export interface ModelArtifact {
  readonly format: typeof artifactFormat;
  readonly featureSet: FeatureSet;
  readonly features: readonly string[];
  readonly params: GbmParams;
  readonly baseScore: number;
  readonly trees: readonly TreeArrays[];
  /** Split gain per feature, in `features` order. */
  readonly gain: readonly number[];
  /** Cross-validated scores of these settings on the training data, when evaluated. */
  readonly cv?: CvSummary;
  /** What the training data looked like (drift monitoring compares live traffic with it). */
  readonly trainingSummary?: unknown;
}

export interface CvSummary {
  readonly folds: number;
  readonly mean: Scores;
  readonly std: Scores;
}

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  constructor(readonly source: string, reason: string) {
    super(`${source}: not a usable model artifact: ${reason}`);
  }
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks a parsed JSON value is a complete artifact; `source` names it in errors (a path, an S3 key). */
export function parseArtifact(value: unknown, source: string): ModelArtifact {
  const fail = (reason: string): never => {
    throw new ArtifactError(source, reason);
  };
  if (typeof value !== 'object' || value === null) return fail('expected a JSON object');
  const a = value as Partial<ModelArtifact>;
  if (a.format !== artifactFormat) fail(`format: expected ${artifactFormat}, got ${JSON.stringify(a.format)}`);
  if (a.featureSet !== 'base' && a.featureSet !== 'hops') fail(`featureSet: expected base or hops, got ${JSON.stringify(a.featureSet)}`);
  const expected = featureNames(a.featureSet!);
  if (!Array.isArray(a.features) || a.features.join(',') !== expected.join(','))
    fail(`features: do not match this code's ${a.featureSet} features (${expected.length}); retrain the model`);
  if (typeof a.baseScore !== 'number' || !Number.isFinite(a.baseScore)) fail('baseScore: expected a finite number');
  if (!Array.isArray(a.trees) || a.trees.length === 0) fail('trees: expected a non-empty list');
  a.trees!.forEach((t, k) => {
    const parts = [t?.feature, t?.threshold, t?.left, t?.right, t?.missingLeft, t?.value];
    if (!parts.every(isNumberArray)) fail(`trees[${k}]: expected six arrays of finite numbers`);
    const size = t.feature.length;
    if (size === 0 || parts.some((p) => (p as number[]).length !== size)) fail(`trees[${k}]: arrays of different lengths`);
    for (let n = 0; n < size; n++) {
      if (t.feature[n]! >= expected.length) fail(`trees[${k}].feature[${n}]: no feature ${t.feature[n]}`);
      if (t.feature[n]! >= 0 && !(t.left[n]! > n && t.left[n]! < size && t.right[n]! > n && t.right[n]! < size))
        fail(`trees[${k}] node ${n}: children out of range`);
    }
  });
  return a as ModelArtifact;
}

/** Predictions for feature vectors already in the artifact's order. */
export function predictMany(artifact: Pick<ModelArtifact, 'baseScore' | 'trees'>, vectors: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(vectors.length);
  for (let i = 0; i < vectors.length; i++) out[i] = predictGbm(artifact, vectors[i]!);
  return out;
}

/** Predictions for beers described by field name: the artifact's own feature set decides what is computed. */
export function predictInputs(artifact: ModelArtifact, inputs: readonly FeatureInput[]): Float64Array {
  const out = new Float64Array(inputs.length);
  const vector = new Float64Array(artifact.features.length);
  for (let i = 0; i < inputs.length; i++) {
    writeFeatures(inputs[i]!, artifact.featureSet, vector);
    out[i] = predictGbm(artifact, vector);
  }
  return out;
}
