/**
 * The model artifact: plain JSON that predicts on its own. It names its feature set and
 * feature list, so a server loading it computes exactly the features it was trained on,
 * and it is checked on load, so a corrupt file is an error, never a wrong answer.
 */
import { featureNames, writeFeatures, type FeatureInput, type FeatureSet } from './features';
import type { TrainingSummary } from './drift';
import type { GbmParams, TreeArrays } from './gbm';
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
  /** What the training data looked like: drift monitoring compares live traffic with it. */
  readonly trainingSummary?: TrainingSummary;
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

/** All trees of an artifact in flat typed arrays, node indices made global: the hot loop of serving. */
interface CompiledForest {
  readonly baseScore: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly missingLeft: Uint8Array;
  readonly value: Float64Array;
}

const compiled = new WeakMap<object, CompiledForest>();

function compile(artifact: Pick<ModelArtifact, 'baseScore' | 'trees'>): CompiledForest {
  let forest = compiled.get(artifact);
  if (forest) return forest;
  const size = artifact.trees.reduce((n, t) => n + t.feature.length, 0);
  forest = {
    baseScore: artifact.baseScore,
    roots: new Int32Array(artifact.trees.length),
    feature: new Int32Array(size),
    threshold: new Float64Array(size),
    left: new Int32Array(size),
    right: new Int32Array(size),
    missingLeft: new Uint8Array(size),
    value: new Float64Array(size),
  };
  let offset = 0;
  artifact.trees.forEach((t, k) => {
    forest!.roots[k] = offset;
    for (let n = 0; n < t.feature.length; n++) {
      const at = offset + n;
      forest!.feature[at] = t.feature[n]!;
      forest!.threshold[at] = t.threshold[n]!;
      forest!.left[at] = t.left[n]! + offset;
      forest!.right[at] = t.right[n]! + offset;
      forest!.missingLeft[at] = t.missingLeft[n]!;
      forest!.value[at] = t.value[n]!;
    }
    offset += t.feature.length;
  });
  compiled.set(artifact, forest);
  return forest;
}

function predictCompiled(f: CompiledForest, x: ArrayLike<number>): number {
  let sum = f.baseScore;
  for (let k = 0; k < f.roots.length; k++) {
    let node = f.roots[k]!;
    let feature = f.feature[node]!;
    while (feature >= 0) {
      const v = x[feature]!;
      node = (v !== v ? f.missingLeft[node] === 1 : v <= f.threshold[node]!) ? f.left[node]! : f.right[node]!;
      feature = f.feature[node]!;
    }
    sum += f.value[node]!;
  }
  return sum;
}

/** Predictions for feature vectors already in the artifact's order. */
export function predictMany(artifact: Pick<ModelArtifact, 'baseScore' | 'trees'>, vectors: readonly ArrayLike<number>[]): Float64Array {
  const forest = compile(artifact);
  const out = new Float64Array(vectors.length);
  for (let i = 0; i < vectors.length; i++) out[i] = predictCompiled(forest, vectors[i]!);
  return out;
}

/** Predictions for beers described by field name: the artifact's own feature set decides what is computed. */
export function predictInputs(artifact: ModelArtifact, inputs: readonly FeatureInput[]): Float64Array {
  const forest = compile(artifact);
  const out = new Float64Array(inputs.length);
  const vector = new Float64Array(artifact.features.length);
  for (let i = 0; i < inputs.length; i++) {
    writeFeatures(inputs[i]!, artifact.featureSet, vector);
    out[i] = predictCompiled(forest, vector);
  }
  return out;
}
