/** Regression scores, as scikit-learn computes them (R² against the test set's own mean). */
export interface Scores {
  readonly r2: number;
  readonly rmse: number;
  readonly mae: number;
}

export function scoreRegression(actual: readonly number[], predicted: readonly number[]): Scores {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) throw new RangeError(`scoreRegression: ${n} actual values, ${predicted.length} predicted`);
  const mean = actual.reduce((s, y) => s + y, 0) / n;
  let sse = 0;
  let sst = 0;
  let sae = 0;
  for (let i = 0; i < n; i++) {
    const e = actual[i]! - predicted[i]!;
    sse += e * e;
    sae += Math.abs(e);
    sst += (actual[i]! - mean) ** 2;
  }
  return { r2: sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst, rmse: Math.sqrt(sse / n), mae: sae / n };
}

export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std };
}
