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
import { BrokenPointer, ModelNotFound, newVersionName, type ModelRegistry } from '../../model/registry';
import { modelListing } from '../../model/version-listing';
import { trainIbuModel, type TrainingRow, type TrainOptions } from '../../model/train';
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
  /**
   * Labelled rows the submitter did not choose (`brewlake serve`: the lake's training set, the
   * promoted model's own): a retrained model is promoted only when it is not worse there too,
   * so records that were all noise cannot vouch for themselves.
   */
  readonly referenceSet?: () => Promise<readonly TrainingRow[]>;
  /** How a retrain trains (`trainIbuModelInThread` keeps the event loop free); default: on this thread. */
  readonly train?: (rows: readonly TrainingRow[], options: TrainOptions) => Promise<ModelArtifact>;
}

/** The promoted version, or null when nothing is promoted or the pointer is broken (with why). */
async function pointedVersion(registry: ModelRegistry): Promise<{ version: string | null; broken?: BrokenPointer }> {
  try {
    return { version: await registry.promotedVersion() };
  } catch (error) {
    if (error instanceof BrokenPointer) return { version: null, broken: error };
    throw error;
  }
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
  const train = options.train ?? (async (rows: readonly TrainingRow[], trainOptions: TrainOptions) => trainIbuModel(rows, trainOptions));

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
      const { broken } = await pointedVersion(registry);
      return modelListing(await registry.list(), broken?.message);
    },

    async promote(version) {
      // From any pointer state: a broken pointer is exactly what a rollback must repair.
      const previous = (await pointedVersion(registry)).version;
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

      const candidate = await train(trainRows, { featureSet });
      const candidateScores = metricsOf(scoreRegression(actual, Array.from(predictInputs(candidate, holdoutRows))));
      const currentScores = current ? metricsOf(scoreRegression(actual, Array.from(predictInputs(current.model, holdoutRows)))) : null;
      const referenceRows = options.referenceSet ? await options.referenceSet() : [];
      const scoreOnReference = (model: ModelArtifact) => metricsOf(scoreRegression(referenceRows.map((r) => r.ibu), Array.from(predictInputs(model, referenceRows))));
      const reference =
        referenceRows.length === 0 ? null : { rows: referenceRows.length, candidate: scoreOnReference(candidate), current: current ? scoreOnReference(current.model) : null };

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
        evaluation: { holdout: { rows: holdoutRows.length, candidate: candidateScores, current: currentScores, currentVersion: current?.version ?? null }, reference },
        codeVersion: process.env.npm_package_version ?? 'unknown',
      });

      // Judged on every set it is scored on: the part of the records held out, and the
      // reference set the submitter did not choose.
      const judged = [
        { on: 'the held-out records', candidate: candidateScores, current: currentScores },
        ...(reference ? [{ on: `the lake's training set (${reference.rows} rows)`, candidate: reference.candidate, current: reference.current }] : []),
      ];
      const rmse = (j: (typeof judged)[number]) => `RMSE ${j.candidate.rmse.toFixed(2)} ${j.current && j.candidate.rmse > j.current.rmse ? '>' : '<='} ${j.current?.rmse.toFixed(2)}`;
      const worseOn = judged.filter((j) => j.current !== null && j.candidate.rmse > j.current.rmse);
      const notWorse = currentScores === null || worseOn.length === 0;
      const promote = force || notWorse;
      const reason =
        currentScores === null
          ? 'no version was promoted: the new one is'
          : notWorse
            ? `not worse than ${current!.version} on ${judged.map((j) => `${j.on} (${rmse(j)})`).join(' and ')}`
            : force
              ? `forced: worse than ${current!.version} on ${worseOn.map((j) => `${j.on} (${rmse(j)})`).join(' and ')}`
              : `not promoted: worse than ${current!.version} on ${worseOn.map((j) => `${j.on} (${rmse(j)})`).join(' and ')}; send force: true to promote it anyway`;
      const previous = (await pointedVersion(registry)).version;
      if (promote) await registry.promote(version);
      return {
        ok: true,
        version,
        promoted: promote,
        reason,
        previous_version: previous,
        holdout: { rows: holdoutRows.length, candidate: candidateScores, current: currentScores },
        reference,
      };
    },
  };
}
