/**
 * The app's model backend over `model/`: the registry stores and promotes versions, the
 * artifact predicts, `trainIbuModel` retrains.
 */
import { createHash } from 'node:crypto';
import { answeringFeatureSet, ArtifactError, predictInputs, type ModelArtifact } from '../../model/artifact';
import { roundIbu } from '../../model/ibu-precision';
import type { FeatureSet } from '../../model/features';
import { seededRandom, shuffled } from '../../model/gbm';
import { scoreRegression, type Scores } from '../../model/metrics';
import { readReferenceSample, referenceSample, storeReferenceSample } from '../../model/reference-sample';
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
   * so records that were all noise cannot vouch for themselves. Without it (the Lambda has no
   * lake) the promoted version's reference sample, stored when it was trained, is that set;
   * with neither, a retrain is never promoted unless forced.
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

/** What a retrain is judged against: the registry's own word, not only what this server loaded. */
type PromotedState =
  | { readonly kind: 'none' }
  | { readonly kind: 'loaded'; readonly version: string; readonly model: ModelArtifact }
  | { readonly kind: 'broken'; readonly message: string }
  | { readonly kind: 'unloadable'; readonly version: string; readonly message: string };

async function promotedState(registry: ModelRegistry, loaded: { version: string; model: ModelArtifact } | undefined): Promise<PromotedState> {
  const pointer = await pointedVersion(registry);
  if (pointer.broken) return { kind: 'broken', message: pointer.broken.message };
  if (pointer.version === null) return { kind: 'none' };
  if (loaded?.version === pointer.version) return { kind: 'loaded', version: loaded.version, model: loaded.model };
  try {
    return { kind: 'loaded', version: pointer.version, model: await registry.load(pointer.version) };
  } catch (error) {
    if (error instanceof ArtifactError || error instanceof ModelNotFound) return { kind: 'unloadable', version: pointer.version, message: error.message };
    throw error;
  }
}

/** Rows to judge on that the submitter did not choose, and what they are; `rows` empty with `missing` saying why when there are none. */
interface ReferenceRows {
  readonly rows: readonly TrainingRow[];
  readonly on: string;
  /** A version's stored sample (carried on as it is), not the whole lake's training set. */
  readonly stored?: boolean;
  readonly missing?: string;
}

const metricsOf = (s: Scores): HoldoutMetrics => ({ rmse: s.rmse, mae: s.mae, r2: s.r2 });

/** Record indexes, shuffled by `seed`, cut into a training part and a held-out part. */
function holdoutSplit(n: number, share: number, seed: number): { train: number[]; holdout: number[] } {
  const order = shuffled(Array.from({ length: n }, (_, i) => i), seededRandom(seed));
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

    async retrain(records: readonly LabelledBeerInput[], loaded, force): Promise<RetrainOutcome> {
      const issues = degenerateTrainingSetIssues(records);
      if (issues.length > 0) {
        return { ok: false, error: { name: 'DegenerateTrainingSet', message: `refused, nothing trained or changed: ${issues.map((i) => i.reason).join('; ')}`, issues } };
      }
      const state = await promotedState(registry, loaded);
      const current = state.kind === 'loaded' ? state : undefined;
      const featureSet = current?.model.featureSet ?? options.defaultFeatureSet ?? 'hops';
      const rows: TrainingRow[] = records.map((r, id) => ({ ...r, id }));
      const split = holdoutSplit(rows.length, holdoutShare, options.seed ?? 7);
      const trainRows = split.train.map((i) => rows[i]!);
      const holdoutRows = split.holdout.map((i) => rows[i]!);
      const actual = holdoutRows.map((r) => r.ibu);

      const candidate = await train(trainRows, { featureSet });
      const candidateScores = metricsOf(scoreRegression(actual, Array.from(predictInputs(candidate, holdoutRows))));
      const currentScores = current ? metricsOf(scoreRegression(actual, Array.from(predictInputs(current.model, holdoutRows)))) : null;
      const judgedOn = await referenceRows(current?.version);
      const scoreOnReference = (model: ModelArtifact) => metricsOf(scoreRegression(judgedOn.rows.map((r) => r.ibu), Array.from(predictInputs(model, judgedOn.rows))));
      const reference =
        judgedOn.rows.length === 0 ? null : { rows: judgedOn.rows.length, candidate: scoreOnReference(candidate), current: current ? scoreOnReference(current.model) : null };

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
        evaluation: { holdout: { rows: holdoutRows.length, candidate: candidateScores, current: currentScores, currentVersion: current?.version ?? null }, reference: reference && { ...reference, on: judgedOn.on } },
        codeVersion: process.env.npm_package_version ?? 'unknown',
      });
      // The new version carries on the rows it was judged on, never the submitted records: the next retrain is judged on the lake's beers too.
      if (judgedOn.rows.length > 0) await storeReferenceSample(registry, version, judgedOn.stored ? judgedOn.rows : referenceSample(judgedOn.rows));

      const { promote, reason } = judgement({ state, force, candidate: candidateScores, current: currentScores, reference, judgedOn });
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

  /** The server's reference set when it has one (the lake), else the promoted version's stored sample. */
  async function referenceRows(currentVersion: string | undefined): Promise<ReferenceRows> {
    if (options.referenceSet) {
      const rows = await options.referenceSet();
      return { rows, on: `the lake's training set (${rows.length} rows)`, ...(rows.length === 0 && { missing: "the lake's training set is empty" }) };
    }
    if (currentVersion === undefined) return { rows: [], on: '', missing: 'no version is loaded to take one from' };
    try {
      const rows = await readReferenceSample(registry, currentVersion);
      if (rows === null) return { rows: [], on: '', missing: `${currentVersion} stored no reference sample (trained before there were any)` };
      return { rows, on: `${currentVersion}'s reference sample of the lake (${rows.length} rows)`, stored: true };
    } catch (error) {
      if (error instanceof ArtifactError) return { rows: [], on: '', missing: error.message };
      throw error;
    }
  }
}

type Judged = { readonly on: string; readonly candidate: HoldoutMetrics; readonly current: HoldoutMetrics | null };

/** Whether a retrained version is promoted, and the one sentence that says why. */
function judgement(input: {
  state: PromotedState;
  force: boolean;
  candidate: HoldoutMetrics;
  current: HoldoutMetrics | null;
  reference: { readonly candidate: HoldoutMetrics; readonly current: HoldoutMetrics | null } | null;
  judgedOn: ReferenceRows;
}): { promote: boolean; reason: string } {
  const { state, force } = input;
  /** A retrain that is not promoted on its own, for `why`: promoted only when forced. */
  const unlessForced = (why: string) =>
    force ? { promote: true, reason: `forced: ${why}` } : { promote: false, reason: `not promoted: ${why}; send force: true to promote it anyway` };
  if (state.kind === 'none') return { promote: true, reason: 'no version was promoted: the new one is' };
  if (state.kind === 'broken') return unlessForced(`the promotion pointer is broken (${state.message}), so there is nothing to compare with`);
  if (state.kind === 'unloadable') return unlessForced(`the promoted version ${state.version} could not be loaded (${state.message}), so there is nothing to compare with`);
  // Judged on every set it is scored on: the part of the records held out, and the reference
  // set the submitter did not choose.
  const judged: Judged[] = [
    { on: 'the held-out records', candidate: input.candidate, current: input.current },
    ...(input.reference ? [{ on: input.judgedOn.on, candidate: input.reference.candidate, current: input.reference.current }] : []),
  ];
  const rmse = (j: Judged) => `RMSE ${j.candidate.rmse.toFixed(2)} ${j.current && j.candidate.rmse > j.current.rmse ? '>' : '<='} ${j.current?.rmse.toFixed(2)}`;
  const on = (list: readonly Judged[]) => list.map((j) => `${j.on} (${rmse(j)})`).join(' and ');
  const worseOn = judged.filter((j) => j.current !== null && j.candidate.rmse > j.current.rmse);
  if (worseOn.length > 0) return unlessForced(`worse than ${state.version} on ${on(worseOn)}`);
  // The held-out records came from the submission: records that are all noise pass that test.
  if (!input.reference) return unlessForced(`not worse than ${state.version} on ${on(judged)} only, and there are no rows the submitter did not choose to judge it on (${input.judgedOn.missing})`);
  return { promote: true, reason: `not worse than ${state.version} on ${on(judged)}` };
}
