/**
 * Drift: do today's beers still look like the beers the model learned from? Each model
 * version carries a summary of its training data (a sorted sample per feature and for the
 * target); live rows are compared with it feature by feature, by the population stability
 * index (on the training deciles) and the two-sample Kolmogorov–Smirnov statistic.
 */

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

export interface TrainingSummary {
  readonly rows: number;
  readonly features: readonly ColumnSummary[];
  readonly target: ColumnSummary;
}

export interface DriftThresholds {
  /** PSI above this is drift. 0.2 is the usual line between "some shift" and "a different population". */
  readonly psi: number;
  /** KS D above this is drift: at a few hundred rows either side, D 0.2 is far outside sampling noise. */
  readonly ks: number;
}

export const defaultDriftThresholds: DriftThresholds = { psi: 0.2, ks: 0.2 };

export interface ColumnDrift {
  readonly name: string;
  /** Live values compared (finite ones; missing ones count in PSI's missing bin). */
  readonly n: number;
  readonly psi: number;
  readonly ks: number;
  readonly drifted: boolean;
}

export interface DriftReport {
  readonly rows: number;
  readonly features: readonly ColumnDrift[];
  /** The model's answers against the training target. */
  readonly prediction: ColumnDrift;
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

export function summarizeTraining(featureNames: readonly string[], vectors: readonly ArrayLike<number>[], target: readonly number[]): TrainingSummary {
  return {
    rows: vectors.length,
    features: featureNames.map((name, f) => summarizeColumn(name, vectors.map((v) => v[f]!))),
    target: summarizeColumn('ibu', target),
  };
}

/** Shares of values per bin (edges as upper bounds, last bin open), plus a missing bin. */
function binShares(values: readonly number[], edges: readonly number[], missing: number): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v > edges[b]!) b++;
    counts[b]!++;
  }
  counts[edges.length + 1] = missing;
  const total = values.length + missing;
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/** Population stability index of a live sample against a training column (0 = same shape). */
export function populationStabilityIndex(reference: ColumnSummary, live: readonly number[]): number {
  const finite = live.filter((v) => Number.isFinite(v));
  if (live.length === 0) return 0;
  const referenceMissing = Math.round((reference.missingShare * reference.values.length) / Math.max(1e-9, 1 - reference.missingShare));
  const expected = binShares(reference.values, reference.edges, referenceMissing);
  const actual = binShares(finite, reference.edges, live.length - finite.length);
  // An empty bin on either side would make the index infinite: floor every share.
  const floor = 1e-4;
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(floor, expected[b]!);
    const a = Math.max(floor, actual[b]!);
    if (expected[b] === 0 && actual[b] === 0) continue;
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

function columnDrift(reference: ColumnSummary, live: readonly number[], thresholds: DriftThresholds): ColumnDrift {
  const psi = populationStabilityIndex(reference, live);
  const ks = ksStatistic(reference.values, live);
  return { name: reference.name, n: live.filter((v) => Number.isFinite(v)).length, psi, ks, drifted: psi > thresholds.psi || ks > thresholds.ks };
}

/** Live feature vectors (in the summary's feature order) and the model's answers, against the training summary. */
export function driftReport(
  summary: TrainingSummary,
  liveVectors: readonly ArrayLike<number>[],
  livePredictions: readonly number[],
  thresholds: DriftThresholds = defaultDriftThresholds,
): DriftReport {
  const features = summary.features.map((column, f) => columnDrift(column, liveVectors.map((v) => v[f]!), thresholds));
  const prediction = columnDrift({ ...summary.target, name: 'predicted_ibu' }, livePredictions, thresholds);
  return { rows: liveVectors.length, features, prediction, drifted: prediction.drifted || features.some((f) => f.drifted) };
}
