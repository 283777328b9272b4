/**
 * Drift: do today's beers still look like the beers the model learned from? Each model
 * version carries a summary of its training data (a sorted sample per feature, for the
 * target, and for each answering model's own answers); live rows are compared with it
 * feature by feature, by the population stability index (on the training deciles) and the
 * two-sample Kolmogorov–Smirnov statistic.
 */
import type { FeatureSet } from './features';
import { roundIbu } from './ibu-precision';

/** One column of the training data: enough to compare a live sample with it later. */
export interface ColumnSummary {
  readonly name: string;
  /** Finite training values, sorted (all of them, or an even subsample when there are many). */
  readonly values: readonly number[];
  /** Share of training rows where the value was missing. */
  readonly missingShare: number;
  /** PSI bin edges: the training deciles. */
  readonly edges: readonly number[];
}

/**
 * How a model answered its own training rows: `out_of_fold`, each row by a cross-validation
 * model that never saw it (the spread a new beer of the same population gets); `in_sample`,
 * the model's own fits, when no cross-validation ran with the training.
 */
export type AnswerKind = 'out_of_fold' | 'in_sample';

/** The distribution of one model's answers on the training rows: what its live answers are judged against. */
export interface AnswerSummary extends ColumnSummary {
  readonly kind: AnswerKind;
}

export interface TrainingSummary {
  readonly rows: number;
  readonly features: readonly ColumnSummary[];
  /** The measured IBU. Not a reference for the answers: a model's answers are spread less than what it learned from. */
  readonly target: ColumnSummary;
  /**
   * By the feature set of the model that answers (a hop-bill model's base fallback under
   * `base`): its answers on the training rows. Absent in models trained before brewlake
   * stored it; their answers are then not judged ("no reference").
   */
  readonly answers?: Readonly<Partial<Record<FeatureSet, AnswerSummary>>>;
}

export interface DriftThresholds {
  /** PSI above this is drift. 0.2 is the usual line between "some shift" and "a different population". */
  readonly psi: number;
  /** KS D above this is drift: at a few hundred rows either side, D 0.2 is far outside sampling noise. */
  readonly ks: number;
}

export const defaultDriftThresholds: DriftThresholds = { psi: 0.2, ks: 0.2 };

/**
 * The fewest live values a column is judged on. Below it, sampling noise alone reaches the
 * thresholds: with 10 decile bins, PSI between two samples of the same population averages
 * about (bins − 1) / n, 0.09 at n = 100 (0.18 at 50, next to the 0.2 line), and KS D's 95th
 * percentile against a 2,000-value training sample is 1.36·√(1/n + 1/2000) ≈ 0.14 at
 * n = 100 (0.20 at 50). At 100 values a flag is the population, not the draw.
 */
export const minDriftSample = 100;

/**
 * `ok` and `drift` are judgements; `not enough data` is the refusal to make one; `no
 * reference` is a column the model's summary holds nothing to compare with.
 */
export type DriftStatus = 'ok' | 'drift' | 'not enough data' | 'no reference';
export type DriftVerdict = 'no drift' | 'drift' | 'not enough data';

export interface ColumnDrift {
  readonly name: string;
  /** Live rows that carry a value: the only rows the distribution is judged on. */
  readonly n: number;
  /** Share of live rows without a value (absent is missing, not zero), reported apart. */
  readonly missingShare: number;
  /** The same share in the training data, for comparison. */
  readonly trainingMissingShare: number;
  /** Null below `minDriftSample`: too few values for the number to mean anything. */
  readonly psi: number | null;
  readonly ks: number | null;
  readonly status: DriftStatus;
  readonly drifted: boolean;
  /** The PSI bins (the training deciles) as labels, and the share of training and live values in each. */
  readonly bins: readonly string[];
  readonly training: readonly number[];
  readonly live: readonly number[];
}

export interface DriftReport {
  readonly rows: number;
  readonly minSample: number;
  readonly features: readonly ColumnDrift[];
  /**
   * The answers, one column per feature set of the model that gave them (`predicted_ibu
   * (hops)`, `predicted_ibu (base)`), each against that model's answers on the training rows.
   */
  readonly predictions: readonly ColumnDrift[];
  /** drift when any judged column drifted; not enough data when no column could be judged. */
  readonly verdict: DriftVerdict;
  readonly drifted: boolean;
}

const maxSample = 2_000;

export function summarizeColumn(name: string, values: readonly number[]): ColumnSummary {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const step = Math.max(1, finite.length / maxSample);
  const sample = finite.length <= maxSample ? finite : Array.from({ length: maxSample }, (_, i) => finite[Math.floor(i * step)]!);
  const edges: number[] = [];
  for (let k = 1; k < 10; k++) {
    const q = sample[Math.floor((k * sample.length) / 10)];
    if (q !== undefined && (edges.length === 0 || q > edges[edges.length - 1]!)) edges.push(q);
  }
  return { name, values: sample, missingShare: values.length === 0 ? 0 : 1 - finite.length / values.length, edges };
}

/** The drift column of the answers given by the model of feature set `set`. */
export const answerColumnName = (set: string) => `predicted_ibu (${set})`;

export function summarizeTraining(
  featureNames: readonly string[],
  vectors: readonly ArrayLike<number>[],
  target: readonly number[],
  answers?: Readonly<Partial<Record<FeatureSet, { readonly values: ArrayLike<number>; readonly kind: AnswerKind }>>>,
): TrainingSummary {
  return {
    rows: vectors.length,
    features: featureNames.map((name, f) => summarizeColumn(name, vectors.map((v) => v[f]!))),
    target: summarizeColumn('ibu', target),
    ...(answers
      ? {
          answers: Object.fromEntries(
            // At the precision the API answers and the log holds live answers (and in a third of the bytes).
            Object.entries(answers).map(([set, a]) => [set, { ...summarizeColumn(answerColumnName(set), Array.from(a!.values, roundIbu)), kind: a!.kind }]),
          ),
        }
      : {}),
  };
}

/** Shares of values per bin (edges as upper bounds, last bin open). */
export function binShares(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v > edges[b]!) b++;
    counts[b]!++;
  }
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/** A bin edge as a label: four significant digits, enough to tell the deciles of any feature apart. */
const significant = (edge: number) => +edge.toPrecision(4);

export const binLabels = (edges: readonly number[], text: (edge: number) => number = significant): string[] => [
  ...edges.map((e, i) => (i === 0 ? `≤ ${text(e)}` : `${text(edges[i - 1]!)}–${text(e)}`)),
  `> ${edges.length ? text(edges[edges.length - 1]!) : 0}`,
];

const finiteOnly = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));

/**
 * Population stability index of a live sample against a training column (0 = same shape),
 * over the values present on both sides: a missing value is not a value of the feature,
 * so it is counted apart (`missingShare`), never binned.
 */
export function populationStabilityIndex(reference: ColumnSummary, live: readonly number[]): number {
  const finite = finiteOnly(live);
  if (finite.length === 0 || reference.values.length === 0) return 0;
  const expected = binShares(reference.values, reference.edges);
  const actual = binShares(finite, reference.edges);
  // An empty bin on either side would make the index infinite: floor every share.
  const floor = 1e-4;
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    if (expected[b] === 0 && actual[b] === 0) continue;
    const e = Math.max(floor, expected[b]!);
    const a = Math.max(floor, actual[b]!);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const x = a.filter((v) => Number.isFinite(v)).sort((p, q) => p - q);
  const y = b.filter((v) => Number.isFinite(v)).sort((p, q) => p - q);
  if (x.length === 0 || y.length === 0) return 0;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

export function columnDrift(
  reference: ColumnSummary,
  live: readonly number[],
  thresholds: DriftThresholds = defaultDriftThresholds,
  edgeText: (edge: number) => number = significant,
): ColumnDrift {
  const finite = finiteOnly(live);
  const enough = finite.length >= minDriftSample && reference.values.length >= minDriftSample;
  const psi = enough ? populationStabilityIndex(reference, finite) : null;
  const ks = enough ? ksStatistic(reference.values, finite) : null;
  const drifted = psi !== null && ks !== null && (psi > thresholds.psi || ks > thresholds.ks);
  return {
    name: reference.name,
    n: finite.length,
    missingShare: live.length === 0 ? 0 : 1 - finite.length / live.length,
    trainingMissingShare: reference.missingShare,
    psi,
    ks,
    status: !enough ? 'not enough data' : drifted ? 'drift' : 'ok',
    drifted,
    bins: binLabels(reference.edges, edgeText),
    training: binShares(reference.values, reference.edges),
    live: binShares(finite, reference.edges),
  };
}

/** A column with nothing to compare with: counted, never judged, so never a false DRIFT. */
function unreferencedColumn(name: string, live: readonly number[]): ColumnDrift {
  const n = finiteOnly(live).length;
  return { name, n, missingShare: live.length === 0 ? 0 : 1 - n / live.length, trainingMissingShare: 0, psi: null, ks: null, status: 'no reference', drifted: false, bins: [], training: [], live: [] };
}

/** One logged answer: the IBU, and the feature set of the model that gave it (prediction_log's `feature_set`). */
export interface LiveAnswer {
  readonly ibu: number;
  readonly featureSet: string;
}

/** The model's own feature set first: the hop-bill model answers most traffic. */
const featureSetOrder: readonly FeatureSet[] = ['hops', 'base'];

/**
 * The answers, judged per answering model: a hop-bill model's answers against its own
 * answers on the training rows, its base fallback's (beers sent without a hop bill) against
 * the fallback's. Each group keeps the minimum sample on its own.
 */
export function answerDrift(summary: TrainingSummary, live: readonly LiveAnswer[], thresholds: DriftThresholds = defaultDriftThresholds): ColumnDrift[] {
  const groups = new Map<string, number[]>(Object.keys(summary.answers ?? {}).map((set) => [set, []]));
  for (const answer of live) {
    let group = groups.get(answer.featureSet);
    if (!group) groups.set(answer.featureSet, (group = []));
    group.push(answer.ibu);
  }
  const order = (set: string) => {
    const at = (featureSetOrder as readonly string[]).indexOf(set);
    return at < 0 ? featureSetOrder.length : at;
  };
  return [...groups]
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([set, values]) => {
      // Own keys only: a logged feature_set such as "constructor" names no model.
      const reference = summary.answers && Object.hasOwn(summary.answers, set) ? summary.answers[set as FeatureSet] : undefined;
      // A predicted IBU is shown as precisely as the API answers it.
      return reference ? columnDrift({ ...reference, name: answerColumnName(set) }, values, thresholds, roundIbu) : unreferencedColumn(answerColumnName(set), values);
    });
}

/** Live feature vectors (in the summary's feature order) and the model's answers, against the training summary. */
export function driftReport(
  summary: TrainingSummary,
  liveVectors: readonly ArrayLike<number>[],
  liveAnswers: readonly LiveAnswer[],
  thresholds: DriftThresholds = defaultDriftThresholds,
): DriftReport {
  const features = summary.features.map((column, f) => columnDrift(column, liveVectors.map((v) => v[f]!), thresholds));
  const predictions = answerDrift(summary, liveAnswers, thresholds);
  const columns = [...features, ...predictions];
  const drifted = columns.some((c) => c.drifted);
  const judged = columns.some((c) => c.status === 'ok' || c.status === 'drift');
  const verdict: DriftVerdict = drifted ? 'drift' : judged ? 'no drift' : 'not enough data';
  return { rows: liveVectors.length, minSample: minDriftSample, features, predictions, verdict, drifted };
}
