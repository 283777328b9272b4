/**
 * A training run, start to finish: read the training set from the lake, cross-validate
 * each feature set, train on every row, store each as a version with its lineage and
 * report, and promote the best one, unless it is worse than the promoted model on the
 * same folds (then say so, and promote only when forced).
 */
import { execFileSync } from 'node:child_process';
import type { QueryEngine } from '../glue/query-engine';
import { crossValidate, evaluationFoldsPath, outOfFoldAnswers, readFoldsFile, shuffledFolds, type CvResult, type FoldPlan, type ReferenceResult } from './evaluate';
import type { FeatureSet } from './features';
import type { CommandHintContext } from '../glue/command-hint';
import { BrokenPointer, newVersionName, type Lineage, type ModelRegistry } from './registry';
import { renderReport } from './report';
import { trainIbuModel } from './train';
import { loadTrainingSet } from './training-data';
import { roundIbu } from './ibu-precision';
import { replacePredictionRows } from './prediction-files';
import { referenceSample, storeReferenceSample } from './reference-sample';
import { lakeTimestampText } from '../glue/query-engine';
import type { PredictionRow } from '../glue/schema';
import type { TrainingRow } from './train';

/** Every beer's prediction by each fold model that did not train on it: one row per beer and repeat. */
export function outOfFoldRows(cv: CvResult, version: string, rows: readonly TrainingRow[]): PredictionRow[] {
  const ibu = new Map(rows.map((r) => [r.id, r.ibu]));
  const scoredAt = lakeTimestampText(Date.now());
  return cv.folds.flatMap((fold) =>
    [...fold.predictions].map(([id, predicted]) => ({
      id,
      name: null,
      ibu: ibu.get(id) ?? null,
      predicted_ibu: roundIbu(predicted),
      model_version: version,
      feature_set: cv.featureSet,
      kind: 'out_of_fold',
      repeat: fold.repeat,
      scored_at: scoredAt,
    })),
  );
}

export interface TrainingRunOptions {
  readonly engine: QueryEngine;
  readonly registry: ModelRegistry;
  readonly featureSets: readonly FeatureSet[];
  /** Fixed folds, or `shuffles` (5x5 seeded shuffles of the lake's rows, asked for by name); default: the shipped evaluation folds. */
  readonly plan?: FoldPlan | 'shuffles';
  readonly reference?: readonly ReferenceResult[];
  readonly force?: boolean;
  /** A local lake: each version's out-of-fold predictions go into its predictions table. */
  readonly lakeDir?: string;
  readonly progress?: (line: string) => void;
  /** The `--lake` and `--registry` given, for the commands a refusal suggests. */
  readonly hint?: CommandHintContext;
}

export interface TrainedVersion {
  readonly featureSet: FeatureSet;
  readonly version: string;
  readonly cv: CvResult;
  readonly report: string;
}

export interface TrainingRunResult {
  readonly rows: number;
  readonly plan: string;
  readonly versions: readonly TrainedVersion[];
  readonly promotion: { readonly promoted: boolean; readonly version: string; readonly reason: string };
}

export function codeVersion(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return process.env.npm_package_version ?? 'unknown';
  }
}

export async function runTraining(options: TrainingRunOptions): Promise<TrainingRunResult> {
  const say = options.progress ?? (() => {});
  const data = await loadTrainingSet(options.engine);
  say(`training set: ${data.rows.length} beers with a measured IBU (${options.engine.kind})`);
  const plan = options.plan === 'shuffles' ? shuffledFolds(data.rows.map((r) => r.id)) : (options.plan ?? readFoldsFile(evaluationFoldsPath));
  const rows = data.rows;
  const actual = new Map(rows.map((r) => [r.id, r.ibu]));
  const code = codeVersion();
  // The rows a later POST /retrain judges a candidate on against this version: the lake's, not a submitter's.
  const sample = referenceSample(rows);

  // Every set is cross-validated before any is trained: a hop-bill model's base fallback takes
  // the base set's out-of-fold answers as its drift reference, as the hop-bill model takes its own.
  const cvs = new Map(
    options.featureSets.map((featureSet) => [featureSet, crossValidate(rows, plan, featureSet, { onFold: (done, total) => say(`cross-validating ${featureSet}: fold ${done}/${total}`), ...(options.hint && { hint: options.hint }) })]),
  );
  const outOfFold = Object.fromEntries([...cvs].map(([featureSet, cv]) => [featureSet, outOfFoldAnswers(cv)]));
  const versions: TrainedVersion[] = [];
  for (const [featureSet, cv] of cvs) {
    const artifact = trainIbuModel(rows, { featureSet, cv: cv.summary, outOfFold });
    const lineage: Lineage = {
      version: newVersionName(),
      featureSet,
      trainedAt: new Date().toISOString(),
      engine: options.engine.kind,
      sql: data.sql,
      rows: rows.length,
      dataHash: data.dataHash,
      params: artifact.params,
      cv: cv.summary,
      evaluation: { plan: plan.source, all: cv.summary, withoutOutliers: cv.withoutOutliers },
      codeVersion: code,
    };
    await options.registry.save(artifact, lineage);
    await storeReferenceSample(options.registry, lineage.version, sample);
    const report = await options.registry.attach(
      lineage.version,
      'report.html',
      renderReport({ artifact, lineage, cv, actual, ...(options.reference ? { reference: options.reference } : {}) }),
      'text/html',
    );
    say(`stored ${featureSet} model as ${lineage.version}`);
    if (options.lakeDir !== undefined) {
      const key = await replacePredictionRows(options.lakeDir, lineage.version, 'out_of_fold', outOfFoldRows(cv, lineage.version, rows));
      say(`out-of-fold predictions of ${lineage.version}: ${key}`);
    }
    versions.push({ featureSet, version: lineage.version, cv, report });
  }

  // The candidate: the best of this run by mean RMSE on the folds.
  const candidate = versions.reduce((best, v) => (v.cv.summary.mean.rmse < best.cv.summary.mean.rmse ? v : best));
  const { current, lineage, broken } = await promotedLineage(options.registry);
  let reason = broken ? `promoted to repair the pointer: ${broken}` : 'no model was promoted yet';
  if (current !== null && lineage) {
    // The current model's settings, scored on the same rows and folds: a fair comparison.
    const theirs = crossValidate(rows, plan, lineage.featureSet, { params: lineage.params }).summary.mean.rmse;
    const ours = candidate.cv.summary.mean.rmse;
    if (ours > theirs + 1e-9 && !options.force) {
      return {
        rows: rows.length,
        plan: plan.source,
        versions,
        promotion: { promoted: false, version: current, reason: `kept ${current}: ${candidate.version} is worse on the same folds (RMSE ${ours.toFixed(2)} vs ${theirs.toFixed(2)}); --force promotes it anyway` },
      };
    }
    reason = ours > theirs + 1e-9 ? `forced, although worse than ${current} (RMSE ${ours.toFixed(2)} vs ${theirs.toFixed(2)})` : `not worse than ${current} on the same folds (RMSE ${ours.toFixed(2)} vs ${theirs.toFixed(2)})`;
  }
  await options.registry.promote(candidate.version);
  return { rows: rows.length, plan: plan.source, versions, promotion: { promoted: true, version: candidate.version, reason } };
}

/**
 * The promoted version and its lineage, to compare a new model with. A broken pointer, or one
 * naming a version that is gone, has nothing to compare with: the new model is promoted and
 * repairs it (the versions just stored are not lost to an error after storing them).
 */
async function promotedLineage(registry: ModelRegistry): Promise<{ current: string | null; lineage?: Lineage; broken?: string }> {
  let current: string | null;
  try {
    current = await registry.promotedVersion();
  } catch (error) {
    if (error instanceof BrokenPointer) return { current: null, broken: error.message };
    throw error;
  }
  if (current === null) return { current };
  try {
    return { current, lineage: await registry.lineage(current) };
  } catch (error) {
    return { current: null, broken: `the promoted version ${current} has no readable lineage (${error instanceof Error ? error.message : String(error)})` };
  }
}
