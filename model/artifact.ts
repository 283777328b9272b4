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
  /**
   * A hop-bill model's answer for a beer sent without a hop bill: a base-feature model
   * trained on the same rows. The hop features of such a beer are all missing, a case the
   * training rows (every one with a bill) never showed the trees; the base model was
   * trained for it (MAE 20.0 against 23.7 on five folds of the catalogue).
   */
  readonly withoutHops?: ModelArtifact;
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
    if (treeDepth(t) > maxTreeDepth) fail(`trees[${k}]: deeper than ${maxTreeDepth} levels`);
  });
  if (a.withoutHops !== undefined) {
    if (a.featureSet !== 'hops') fail('withoutHops: only a hops model has one');
    if (parseArtifact(a.withoutHops, `${source} withoutHops`).featureSet !== 'base') fail('withoutHops: expected a base model');
  }
  return a as ModelArtifact;
}

/**
 * All trees of an artifact as complete binary trees of one depth, in heap order, in flat
 * typed arrays: the hot loop of serving. A leaf above the bottom becomes a split every value
 * (and every missing one) passes to the left, so each tree is walked in exactly `depth`
 * steps, and each step picks a child by arithmetic rather than by a branch the CPU would
 * mispredict half the time. Trees here are shallow (depth 2 to 4), so the padding is small.
 */
interface CompiledForest {
  readonly baseScore: number;
  readonly trees: number;
  readonly depth: number;
  /** Per tree, 2^depth - 1 internal nodes: the feature each one splits on. */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** 1 when a missing value goes right. */
  readonly missingRight: Int32Array;
  /** Per tree, 2^depth leaves. */
  readonly leaf: Float64Array;
}

/** Deeper trees than this are refused: padding doubles with each level. */
export const maxTreeDepth = 12;

export function treeDepth(tree: TreeArrays, node = 0): number {
  return tree.feature[node]! < 0 ? 0 : 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

const compiled = new WeakMap<object, CompiledForest>();

function compile(artifact: Pick<ModelArtifact, 'baseScore' | 'trees'>): CompiledForest {
  const cached = compiled.get(artifact);
  if (cached) return cached;
  const depth = Math.max(...artifact.trees.map((t) => treeDepth(t)));
  if (depth > maxTreeDepth) throw new ArtifactError('model', `trees deeper than ${maxTreeDepth} levels (${depth})`);
  const internal = (1 << depth) - 1;
  const leaves = 1 << depth;
  const n = artifact.trees.length;
  const forest: CompiledForest = {
    baseScore: artifact.baseScore,
    trees: n,
    depth,
    feature: new Int32Array(n * internal),
    threshold: new Float64Array(n * internal),
    missingRight: new Int32Array(n * internal),
    leaf: new Float64Array(n * leaves),
  };
  artifact.trees.forEach((t, k) => {
    const place = (node: number, at: number, level: number): void => {
      if (level === depth) {
        forest.leaf[k * leaves + at - internal] = t.value[node]!;
        return;
      }
      const slot = k * internal + at;
      const isLeaf = t.feature[node]! < 0;
      forest.feature[slot] = isLeaf ? 0 : t.feature[node]!;
      forest.threshold[slot] = isLeaf ? Infinity : t.threshold[node]!;
      forest.missingRight[slot] = isLeaf || t.missingLeft[node] === 1 ? 0 : 1;
      place(isLeaf ? node : t.left[node]!, 2 * at + 1, level + 1);
      place(isLeaf ? node : t.right[node]!, 2 * at + 2, level + 1);
    };
    place(0, 0, 0);
  });
  compiled.set(artifact, forest);
  return forest;
}

function predictCompiled(f: CompiledForest, x: ArrayLike<number>): number {
  const { depth, feature, threshold, missingRight, leaf } = f;
  const internal = (1 << depth) - 1;
  let sum = f.baseScore;
  for (let k = 0, base = 0, leafBase = -internal; k < f.trees; k++, base += internal, leafBase += internal + 1) {
    let node = 0;
    for (let level = 0; level < depth; level++) {
      const at = base + node;
      const v = x[feature[at]!]!;
      // Right when above the threshold, or missing and missing goes right (NaN > t is false).
      node = 2 * node + 1 + (+(v > threshold[at]!) | (+(v !== v) & missingRight[at]!));
    }
    sum += leaf[leafBase + node]!;
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

/**
 * Predictions for beers described by field name: the artifact's own feature set decides what
 * is computed, and a beer with no hop bill goes to the artifact's `withoutHops` model when
 * it has one.
 */
export function predictInputs(artifact: ModelArtifact, inputs: readonly FeatureInput[]): Float64Array {
  const score = scorer(artifact);
  // Compiled on first use: most requests carry a hop bill.
  let scoreWithoutHops: ((input: FeatureInput) => number) | undefined;
  const out = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    out[i] = answersWithoutHops(artifact, input) ? (scoreWithoutHops ??= scorer(artifact.withoutHops!))(input) : score(input);
  }
  return out;
}

const answersWithoutHops = (artifact: ModelArtifact, input: Pick<FeatureInput, 'hops'>) => artifact.withoutHops !== undefined && (input.hops === undefined || input.hops === null);

/** The feature set of the model that answers `input`: the base fallback's for a beer sent without a hop bill. */
export function answeringFeatureSet(artifact: ModelArtifact, input: Pick<FeatureInput, 'hops'>): FeatureSet {
  return answersWithoutHops(artifact, input) ? artifact.withoutHops!.featureSet : artifact.featureSet;
}

function scorer(artifact: ModelArtifact): (input: FeatureInput) => number {
  const forest = compile(artifact);
  const vector = new Float64Array(artifact.features.length);
  return (input) => {
    writeFeatures(input, artifact.featureSet, vector);
    return predictCompiled(forest, vector);
  };
}
