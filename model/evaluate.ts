/**
 * Cross-validation on fixed folds: every model version, and any other implementation,
 * scored on exactly the same splits: the 25 evaluation folds shipped in `model/eval/`
 * (ids and seeds, with their provenance and the reference results in the README beside).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brewlakeCommand, type CommandHintContext } from '../glue/command-hint';
import type { CvSummary } from './artifact';
import { featureVector, type FeatureSet } from './features';
import { fitGbm, predictGbm, seededRandom, type GbmParams } from './gbm';
import { meanAndStd, scoreRegression, type Scores } from './metrics';
import { ibuModelParams, type TrainingRow } from './train';

/** The evaluation folds shipped with brewlake: what `brewlake train` scores on unless told otherwise. */
// From the sources (model/evaluate.ts) or the CLI's build (dist/cli/brewlake.cjs): the one file in model/eval/.
export const evaluationFoldsPath = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './eval/folds.json' : '../../model/eval/folds.json', import.meta.url));

export interface Fold {
  /** Which repeat of the k-fold split it belongs to (each repeat tests every beer once). */
  readonly repeat: number;
  readonly testIds: readonly number[];
  readonly trainIds: readonly number[];
}

export interface FoldPlan {
  readonly source: string;
  /** The beers the plan scores, exactly. */
  readonly beerIds: readonly number[];
  readonly folds: readonly Fold[];
}

/** Beers whose IBU (1085, 1157) dominates RMSE; reported both with and without them. */
export const dominantOutlierIds = [137, 185] as const;

export class FoldsFileError extends Error {
  override readonly name = 'FoldsFileError';
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
  }
}

export class MissingBeers extends Error {
  override readonly name = 'MissingBeers';
  constructor(readonly ids: readonly number[], source: string, hint: CommandHintContext = {}) {
    super(`${ids.length} beer(s) listed in ${source} are not in the training data (${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}); refusing to score a different set (\`${brewlakeCommand('train --folds shuffles', hint)}\` scores the lake's own beers on seeded shuffles instead)`);
  }
}

/**
 * The lake's beers with an IBU cannot fill the folds: every fold needs a beer to test (one
 * that is not 137 or 185, which its second score leaves out) and beers to train on.
 */
export class TooFewLabelledBeers extends Error {
  override readonly name = 'TooFewLabelledBeers';
  constructor(
    readonly labelled: number,
    readonly needed: number,
    plan: string,
  ) {
    super(
      labelled < needed
        ? `the training data holds ${labelled} beer(s) with a measured IBU: ${plan} need at least ${needed} (a beer to test in each of ${needed} folds), so there is nothing to score the model on yet`
        : `the training data's ${labelled} beer(s) with a measured IBU leave a fold of ${plan} with no beer to test besides ${dominantOutlierIds.join(' and ')}: give it more beers with an IBU`,
    );
  }
}

/** Refuses a plan that leaves a fold without a beer to train on or to test (besides the outliers): fitting it would fail deep inside, with a message about arrays. */
export function checkFoldsFilled(plan: FoldPlan, labelled: number): void {
  const foldsPerRepeat = plan.folds.filter((f) => f.repeat === plan.folds[0]?.repeat).length;
  const needed = Math.max(2, foldsPerRepeat);
  const outliers = new Set<number>(dominantOutlierIds);
  const unfilled = plan.folds.some((f) => f.trainIds.length === 0 || !f.testIds.some((id) => !outliers.has(id)));
  if (labelled < needed || unfilled || plan.folds.length === 0) throw new TooFewLabelledBeers(labelled, needed, plan.source);
}

export function readFoldsFile(path: string): FoldPlan {
  let json: { beer_ids?: unknown; repeats?: { folds?: { test_ids?: unknown; train_ids?: unknown }[] }[] };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FoldsFileError(path, `cannot read it as JSON (${(error as Error).message})`);
  }
  const ids = (v: unknown, field: string): number[] => {
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new FoldsFileError(path, `${field}: expected a list of beer ids`);
    return v as number[];
  };
  const beerIds = ids(json.beer_ids, 'beer_ids');
  if (!Array.isArray(json.repeats) || json.repeats.length === 0) throw new FoldsFileError(path, 'repeats: expected a non-empty list');
  const folds = json.repeats.flatMap((r, ri) =>
    (r.folds ?? []).map((f, fi) => ({ repeat: ri, testIds: ids(f.test_ids, `repeats[${ri}].folds[${fi}].test_ids`), trainIds: ids(f.train_ids, `repeats[${ri}].folds[${fi}].train_ids`) })),
  );
  return { source: path, beerIds, folds };
}

/** `repeats` x `k`-fold shuffled splits of `ids`, seeded. */
export function shuffledFolds(ids: readonly number[], options: { repeats?: number; k?: number; seed?: number } = {}): FoldPlan {
  const { repeats = 5, k = 5, seed = 11 } = options;
  const folds: Fold[] = [];
  for (let r = 0; r < repeats; r++) {
    const random = seededRandom(seed + r);
    const order = ids.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let f = 0; f < k; f++) {
      const test = order.filter((_, i) => i % k === f);
      const inTest = new Set(test);
      folds.push({ repeat: r, testIds: test, trainIds: order.filter((id) => !inTest.has(id)) });
    }
  }
  return { source: `${repeats}x${k}-fold shuffles (seed ${seed})`, beerIds: ids, folds };
}

export interface FoldResult {
  readonly repeat: number;
  readonly all: Scores;
  readonly withoutOutliers: Scores;
  /** Out-of-fold predictions, by beer id. */
  readonly predictions: ReadonlyMap<number, number>;
}

export interface CvResult {
  readonly featureSet: FeatureSet;
  readonly plan: string;
  readonly folds: readonly FoldResult[];
  readonly summary: CvSummary;
  readonly withoutOutliers: CvSummary;
}

export function crossValidate(
  rows: readonly TrainingRow[],
  plan: FoldPlan,
  featureSet: FeatureSet,
  options: { params?: GbmParams; onFold?: (done: number, total: number) => void; hint?: CommandHintContext } = {},
): CvResult {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = plan.beerIds.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new MissingBeers(missing, plan.source, options.hint);
  checkFoldsFilled(plan, rows.length);
  // Complete settings, as a version's lineage records them: nothing merged in from today's defaults.
  const params = options.params ?? ibuModelParams[featureSet];
  const vectors = new Map(plan.beerIds.map((id) => [id, featureVector(byId.get(id)!, featureSet)]));
  const results: FoldResult[] = [];
  for (const fold of plan.folds) {
    const model = fitGbm(fold.trainIds.map((id) => vectors.get(id)!), fold.trainIds.map((id) => byId.get(id)!.ibu), params);
    const predictions = new Map(fold.testIds.map((id) => [id, predictGbm(model, vectors.get(id)!)]));
    const score = (ids: readonly number[]) => scoreRegression(ids.map((id) => byId.get(id)!.ibu), ids.map((id) => predictions.get(id)!));
    const kept = fold.testIds.filter((id) => !(dominantOutlierIds as readonly number[]).includes(id));
    results.push({ repeat: fold.repeat, all: score(fold.testIds), withoutOutliers: score(kept), predictions });
    options.onFold?.(results.length, plan.folds.length);
  }
  return {
    featureSet,
    plan: plan.source,
    folds: results,
    summary: summarizeScores(results.map((r) => r.all)),
    withoutOutliers: summarizeScores(results.map((r) => r.withoutOutliers)),
  };
}

/** Every out-of-fold answer of a cross-validation, one per beer and repeat: how the model answers beers it never saw. */
export const outOfFoldAnswers = (cv: CvResult): number[] => cv.folds.flatMap((fold) => [...fold.predictions.values()]);

export function summarizeScores(scores: readonly Scores[]): CvSummary {
  const stat = (key: keyof Scores) => meanAndStd(scores.map((s) => s[key]));
  const [r2, rmse, mae] = [stat('r2'), stat('rmse'), stat('mae')];
  return { folds: scores.length, mean: { r2: r2.mean, rmse: rmse.mean, mae: mae.mean }, std: { r2: r2.std, rmse: rmse.std, mae: mae.std } };
}

/** The reference rows of the evaluation README's table, read from the README beside the folds file. */
export interface ReferenceResult {
  readonly model: string;
  readonly features: string;
  readonly r2: number;
  readonly mae: number;
  readonly r2WithoutOutliers: number;
  readonly rmseWithoutOutliers: number;
}

export function readReferenceResults(readmePath: string): ReferenceResult[] {
  let text: string;
  try {
    text = readFileSync(readmePath, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split('|').map((c) => c.trim()))
    .filter((c) => c.length === 8 && /^-?\d/.test(c[3] ?? ''))
    .map((c) => ({ model: c[1]!, features: c[2]!, r2: Number(c[3]), mae: Number(c[4]), r2WithoutOutliers: Number(c[5]), rmseWithoutOutliers: Number(c[6]) }));
}
