/**
 * The app's model backend over `model/`: the registry stores and promotes versions, the
 * artifact predicts, `trainIbuModel` retrains.
 */
import { createHash } from 'node:crypto';
import { answeringFeatureSet, predictInputs, type ModelArtifact } from '../../model/artifact';
import { roundIbu } from '../../model/ibu-precision';
import type { FeatureSet } from '../../model/features';
import { seededRandom } from '../../model/gbm';
import { scoreRegression, type Scores } from '../../model/metrics';
import { ModelNotFound, newVersionName, type ModelRegistry } from '../../model/registry';
import { modelListing } from '../../model/version-listing';
import { trainIbuModel, type TrainingRow } from '../../model/train';
import type { LabelledBeerInput } from './beer-request-schema';
import type { HoldoutMetrics, ModelBackend, RetrainOutcome } from './model-backend';
import { degenerateTrainingSetIssues } from './retrain-checks';

export interface RegistryBackendOptions {
  readonly clock?: () => number;
  /** Share of the records held out to compare the new version with the current one. */
  readonly holdoutShare?: number;
  /** The feature set a retrain uses when no model is promoted yet. */
  readonly defaultFeatureSet?: FeatureSet;
  /** Seeds the held-out split, so the same records always compare on the same part. */
  readonly seed?: number;
}

const metricsOf = (s: Scores): HoldoutMetrics => ({ rmse: s.rmse, mae: s.mae, r2: s.r2 });

/** Record indexes, shuffled by `seed`, cut into a training part and a held-out part. */
function holdoutSplit(n: number, share: number, seed: number): { train: number[]; holdout: number[] } {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const cut = Math.max(1, Math.round(n * share));
  return { holdout: order.slice(0, cut), train: order.slice(cut) };
}

export function registryBackend(registry: ModelRegistry, options: RegistryBackendOptions = {}): ModelBackend<ModelArtifact> {
  const clock = options.clock ?? Date.now;
  const holdoutShare = options.holdoutShare ?? 0.2;

  return {
    source: {
      // The pointer's tag (an ETag from a HEAD in S3): changes with every promotion, and costs
      // no read of the pointer itself.
      fingerprint: () => registry.pointerTag(),
      loadPromoted: async () => {
        const promoted = await registry.promoted();
        return promoted ? { version: promoted.version, model: promoted.artifact } : undefined;
      },
    },

    answeredBy: (artifact, beer) => answeringFeatureSet(artifact, beer),

    // An API beer is a feature input as it stands: the feature module derives each hop's stage
    // and normalises its attribute itself.
    predict: (artifact, beers) => Array.from(predictInputs(artifact, beers), roundIbu),

    async list() {
      return modelListing(await registry.list());
    },

    async promote(version) {
      const previous = await registry.promotedVersion();
      try {
        await registry.promote(version);
      } catch (error) {
        if (error instanceof ModelNotFound) return { ok: false, error: 'UnknownVersion' };
        throw error;
      }
      return { ok: true, previous };
    },

    async retrain(records: readonly LabelledBeerInput[], current, force): Promise<RetrainOutcome> {
      const issues = degenerateTrainingSetIssues(records);
      if (issues.length > 0) {
        return { ok: false, error: { name: 'DegenerateTrainingSet', message: `refused, nothing trained or changed: ${issues.map((i) => i.reason).join('; ')}`, issues } };
      }
      const featureSet = current?.model.featureSet ?? options.defaultFeatureSet ?? 'hops';
      const rows: TrainingRow[] = records.map((r, id) => ({ ...r, id }));
      const split = holdoutSplit(rows.length, holdoutShare, options.seed ?? 7);
      const trainRows = split.train.map((i) => rows[i]!);
      const holdoutRows = split.holdout.map((i) => rows[i]!);
      const actual = holdoutRows.map((r) => r.ibu);

      const candidate = trainIbuModel(trainRows, { featureSet });
      const candidateScores = metricsOf(scoreRegression(actual, Array.from(predictInputs(candidate, holdoutRows))));
      const currentScores = current ? metricsOf(scoreRegression(actual, Array.from(predictInputs(current.model, holdoutRows)))) : null;

      const version = newVersionName(new Date(clock()));
      // Stored whatever happens: a version not promoted can still be inspected or forced later.
      await registry.save(candidate, {
        version,
        featureSet,
        trainedAt: new Date(clock()).toISOString(),
        engine: 'api',
        sql: 'POST /retrain',
        rows: trainRows.length,
        dataHash: createHash('sha256').update(JSON.stringify(trainRows)).digest('hex'),
        params: candidate.params,
        evaluation: { holdout: { rows: holdoutRows.length, candidate: candidateScores, current: currentScores, currentVersion: current?.version ?? null } },
        codeVersion: process.env.npm_package_version ?? 'unknown',
      });

      const notWorse = currentScores === null || candidateScores.rmse <= currentScores.rmse;
      const promote = force || notWorse;
      const reason =
        currentScores === null
          ? 'no version was promoted: the new one is'
          : notWorse
            ? `not worse than ${current!.version} on the held-out records (RMSE ${candidateScores.rmse.toFixed(2)} <= ${currentScores.rmse.toFixed(2)})`
            : force
              ? `forced: worse than ${current!.version} on the held-out records (RMSE ${candidateScores.rmse.toFixed(2)} > ${currentScores.rmse.toFixed(2)})`
              : `not promoted: worse than ${current!.version} on the held-out records (RMSE ${candidateScores.rmse.toFixed(2)} > ${currentScores.rmse.toFixed(2)}); send force: true to promote it anyway`;
      const previous = await registry.promotedVersion();
      if (promote) await registry.promote(version);
      return {
        ok: true,
        version,
        promoted: promote,
        reason,
        previous_version: previous,
        holdout: { rows: holdoutRows.length, candidate: candidateScores, current: currentScores },
      };
    },
  };
}
