/** Training: rows with a measured IBU in, a self-contained artifact out. */
import { artifactFormat, predictMany, type CvSummary, type ModelArtifact } from './artifact';
import { featureNames, featureVector, type FeatureInput, type FeatureSet } from './features';
import { summarizeTraining, type AnswerKind } from './drift';
import { defaultGbmParams, fitGbm, type GbmParams } from './gbm';

/** A labelled beer: the features by name, its id and its measured IBU. */
export type TrainingRow = FeatureInput & { readonly id: number; readonly ibu: number };

export interface TrainOptions {
  readonly featureSet: FeatureSet;
  readonly params?: Partial<GbmParams>;
  readonly cv?: CvSummary;
  /**
   * Out-of-fold answers of this run's cross-validation, by feature set: the reference drift
   * judges each model's live answers against. A model without them is judged against its
   * own fits on the training rows.
   */
  readonly outOfFold?: Readonly<Partial<Record<FeatureSet, readonly number[]>>>;
}

/** A model of `featureSet`; a hops model carries a base model for beers sent without a hop bill. */
export function trainIbuModel(rows: readonly TrainingRow[], options: TrainOptions): ModelArtifact {
  const model = trainForest(rows, options.featureSet, options.params);
  const fallback = options.featureSet === 'hops' ? trainForest(rows, 'base', options.params) : undefined;
  // Each answering model's answers on the training rows, the reference for its live answers:
  // a base fallback spreads its answers less than the IBUs it learned from, so the target is not one.
  const answers = (forest: TrainedForest): { values: ArrayLike<number>; kind: AnswerKind } => {
    const outOfFold = options.outOfFold?.[forest.artifact.featureSet];
    return outOfFold && outOfFold.length > 0 ? { values: outOfFold, kind: 'out_of_fold' } : { values: predictMany(forest.artifact, forest.vectors), kind: 'in_sample' };
  };
  const target = rows.map((r) => r.ibu);
  return {
    ...model.artifact,
    trainingSummary: summarizeTraining(model.artifact.features, model.vectors, target, {
      [model.artifact.featureSet]: answers(model),
      ...(fallback ? { [fallback.artifact.featureSet]: answers(fallback) } : {}),
    }),
    ...(options.cv ? { cv: options.cv } : {}),
    ...(fallback ? { withoutHops: fallback.artifact } : {}),
  };
}

interface TrainedForest {
  readonly artifact: ModelArtifact;
  readonly vectors: readonly Float64Array[];
}

function trainForest(rows: readonly TrainingRow[], featureSet: FeatureSet, overrides: Partial<GbmParams> | undefined): TrainedForest {
  const params = { ...ibuModelParams[featureSet], ...overrides };
  const vectors = rows.map((r) => featureVector(r, featureSet));
  const model = fitGbm(vectors, rows.map((r) => r.ibu), params);
  return {
    artifact: { format: artifactFormat, featureSet, features: featureNames(featureSet), params, baseScore: model.baseScore, trees: model.trees, gain: model.gain },
    vectors,
  };
}

/**
 * The settings brewlake trains with, per feature set. Chosen by 5x5 cross-validation on
 * shuffles of our own (seeds 11-15), not on the evaluation folds. Both: squared loss, leaves
 * of one row allowed (the two IBU outliers then sit in leaves of their own instead of
 * dragging their neighbours up), no row subsampling (it moves the outliers between trees and
 * cost ~0.03 R²). The base set blends depths 2, 3 and 4 (on our shuffles R² 0.498 → 0.509,
 * MAE 23.05 → 22.71); with the hop bill the blend gained nothing (0.756 → 0.752), so that
 * model stays one depth-3 forest, a third of the trees to walk per prediction.
 */
const common: GbmParams = {
  ...defaultGbmParams,
  loss: 'squared',
  trees: 100,
  learningRate: 0.1,
  maxDepth: 3,
  minSamplesLeaf: 1,
  lambda: 0,
  subsample: 1,
  colsample: 1,
  maxBins: 255,
};
export const ibuModelParams: Readonly<Record<FeatureSet, GbmParams>> = {
  base: { ...common, blendDepths: [2, 3, 4] },
  hops: common,
};
