/**
 * Gradient-boosted regression trees, histogram-based: features are cut into quantile bins
 * once, each tree grows depth-first on gradient/hessian sums per bin, and a missing value
 * goes down whichever side of each split the training data liked better. Small enough to
 * read, deterministic for a seed, and its trees are plain arrays that predict without it.
 */

export type Loss = 'squared' | 'huber';

export interface GbmParams {
  readonly trees: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** L2 regularisation of leaf values. */
  readonly lambda: number;
  /** Share of rows each tree sees (without replacement). */
  readonly subsample: number;
  /** Share of features each tree may split on. */
  readonly colsample: number;
  readonly maxBins: number;
  /**
   * `huber` bounds the pull of the ibu outliers (1157, 1085): residuals beyond the
   * `huberQuantile` of |residual| count as that size, as in scikit-learn's Huber loss.
   */
  readonly loss: Loss;
  readonly huberQuantile: number;
  readonly seed: number;
  /**
   * When set, one model is boosted per depth and their predictions averaged (stored as one
   * forest, each tree's leaves scaled): shallow and deeper trees err differently, and the
   * blend is steadier than any one depth.
   */
  readonly blendDepths?: readonly number[];
}

export const defaultGbmParams: GbmParams = {
  trees: 300,
  learningRate: 0.05,
  maxDepth: 3,
  minSamplesLeaf: 5,
  lambda: 1,
  subsample: 0.8,
  colsample: 1,
  maxBins: 64,
  loss: 'huber',
  huberQuantile: 0.9,
  seed: 1,
};

/** One tree as parallel arrays; node 0 is the root, `feature[n] < 0` marks a leaf. */
export interface TreeArrays {
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  /** 1 when a missing value goes left. */
  readonly missingLeft: number[];
  readonly value: number[];
}

export interface GbmModel {
  readonly baseScore: number;
  readonly trees: TreeArrays[];
  /** Total split gain per feature: the importance the report draws. */
  readonly gain: number[];
}

/** mulberry32: a small seeded generator, so a training run is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bin edges of one feature: midpoints between distinct values, or quantiles when there are too many. */
export function binEdges(values: readonly number[], maxBins: number): number[] {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  if (distinct.length <= 1) return [];
  // An edge e splits a < e... as `a <= e < b`; a midpoint of two adjacent doubles can round up to b.
  const between = (a: number, b: number) => {
    const mid = a + (b - a) / 2;
    return mid < b ? mid : a;
  };
  if (distinct.length <= maxBins) return distinct.slice(1).map((v, i) => between(distinct[i]!, v));
  const edges: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const q = sorted[Math.floor((k * sorted.length) / maxBins)]!;
    const below = sorted[Math.max(0, Math.floor((k * sorted.length) / maxBins) - 1)]!;
    const edge = between(below, q);
    if (edge > sorted[0]! && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  return edges;
}

function binOf(v: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function quantile(values: Float64Array | number[], q: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

function median(values: readonly number[]): number {
  return quantile(values as number[], 0.5);
}

export function fitGbm(rows: readonly ArrayLike<number>[], target: readonly number[], params: GbmParams = defaultGbmParams): GbmModel {
  const depths = params.blendDepths ?? [];
  if (depths.length === 0) return fitBoosted(rows, target, params);
  const models = depths.map((maxDepth) => fitBoosted(rows, target, { ...params, maxDepth }));
  const share = 1 / models.length;
  return {
    baseScore: models.reduce((s, m) => s + m.baseScore * share, 0),
    trees: models.flatMap((m) => m.trees.map((t) => ({ ...t, value: t.value.map((v) => v * share) }))),
    gain: models[0]!.gain.map((_, f) => models.reduce((s, m) => s + m.gain[f]! * share, 0)),
  };
}

function fitBoosted(rows: readonly ArrayLike<number>[], target: readonly number[], params: GbmParams): GbmModel {
  const n = rows.length;
  if (n === 0) throw new RangeError('fitGbm: no rows to train on');
  if (target.length !== n) throw new RangeError(`fitGbm: ${n} rows but ${target.length} targets`);
  const width = rows[0]!.length;
  const random = seededRandom(params.seed);

  // Bin every feature once; the missing bin is one past the last value bin.
  const edges: number[][] = [];
  const bins: Uint16Array[] = [];
  for (let f = 0; f < width; f++) {
    const column = rows.map((r) => r[f]!);
    const e = binEdges(column, params.maxBins);
    edges.push(e);
    const b = new Uint16Array(n);
    for (let i = 0; i < n; i++) b[i] = Number.isNaN(column[i]!) ? e.length + 1 : binOf(column[i]!, e);
    bins.push(b);
  }

  const baseScore = params.loss === 'huber' ? median(target) : target.reduce((s, y) => s + y, 0) / n;
  const prediction = new Float64Array(n).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n).fill(1);
  const gain = new Array<number>(width).fill(0);
  const trees: TreeArrays[] = [];
  const allRows = Array.from({ length: n }, (_, i) => i);
  const allFeatures = Array.from({ length: width }, (_, f) => f);

  for (let t = 0; t < params.trees; t++) {
    if (params.loss === 'squared') {
      for (let i = 0; i < n; i++) grad[i] = prediction[i]! - target[i]!;
    } else {
      const residual = new Float64Array(n);
      for (let i = 0; i < n; i++) residual[i] = target[i]! - prediction[i]!;
      const delta = quantile(residual.map(Math.abs), params.huberQuantile) || 1e-9;
      for (let i = 0; i < n; i++) {
        const r = residual[i]!;
        grad[i] = -(Math.abs(r) <= delta ? r : delta * Math.sign(r));
      }
    }
    const sample = params.subsample < 1 ? shuffled(allRows, random).slice(0, Math.max(1, Math.round(n * params.subsample))) : allRows;
    const features = params.colsample < 1 ? shuffled(allFeatures, random).slice(0, Math.max(1, Math.round(width * params.colsample))) : allFeatures;
    const tree: TreeArrays = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] };
    grow(tree, sample, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) prediction[i]! += predictTree(tree, rows[i]!);

    function grow(into: TreeArrays, members: number[], depth: number): number {
      const node = into.feature.length;
      let G = 0;
      let H = 0;
      for (const i of members) {
        G += grad[i]!;
        H += hess[i]!;
      }
      into.feature.push(-1);
      into.threshold.push(0);
      into.left.push(-1);
      into.right.push(-1);
      into.missingLeft.push(0);
      into.value.push((-G / (H + params.lambda)) * params.learningRate);
      if (depth >= params.maxDepth || members.length < 2 * params.minSamplesLeaf) return node;

      const parentScore = (G * G) / (H + params.lambda);
      let best = { gain: 1e-9, feature: -1, bin: -1, missingLeft: false };
      for (const f of features) {
        const nb = edges[f]!.length + 2;
        const hg = new Float64Array(nb);
        const hh = new Float64Array(nb);
        const hc = new Int32Array(nb);
        const column = bins[f]!;
        for (const i of members) {
          const b = column[i]!;
          hg[b]! += grad[i]!;
          hh[b]! += hess[i]!;
          hc[b]!++;
        }
        const missing = nb - 1;
        let gl = 0;
        let hl = 0;
        let cl = 0;
        for (let b = 0; b < nb - 2; b++) {
          gl += hg[b]!;
          hl += hh[b]!;
          cl += hc[b]!;
          for (const withMissing of [false, true]) {
            const GL = gl + (withMissing ? hg[missing]! : 0);
            const HL = hl + (withMissing ? hh[missing]! : 0);
            const CL = cl + (withMissing ? hc[missing]! : 0);
            const CR = members.length - CL;
            if (CL < params.minSamplesLeaf || CR < params.minSamplesLeaf) continue;
            const GR = G - GL;
            const HR = H - HL;
            const g = (GL * GL) / (HL + params.lambda) + (GR * GR) / (HR + params.lambda) - parentScore;
            if (hc[missing] === 0) {
              // No missing values here to learn from: a missing value later follows the majority.
              if (g > best.gain) best = { gain: g, feature: f, bin: b, missingLeft: CL >= CR };
              break;
            }
            if (g > best.gain) best = { gain: g, feature: f, bin: b, missingLeft: withMissing };
          }
        }
      }
      if (best.feature < 0) return node;

      const column = bins[best.feature]!;
      const missingBin = edges[best.feature]!.length + 1;
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (const i of members) {
        const b = column[i]!;
        if (b === missingBin ? best.missingLeft : b <= best.bin) leftRows.push(i);
        else rightRows.push(i);
      }
      gain[best.feature]! += best.gain;
      into.feature[node] = best.feature;
      into.threshold[node] = edges[best.feature]![best.bin]!;
      into.missingLeft[node] = best.missingLeft ? 1 : 0;
      into.left[node] = grow(into, leftRows, depth + 1);
      into.right[node] = grow(into, rightRows, depth + 1);
      return node;
    }
  }
  return { baseScore, trees, gain };
}

/** A Fisher–Yates shuffle of a copy of `items`, driven by `random` (seeded: the same order every run). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function predictTree(tree: TreeArrays, x: ArrayLike<number>): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node]!;
    if (f < 0) return tree.value[node]!;
    const v = x[f]!;
    node = (Number.isNaN(v) ? tree.missingLeft[node] === 1 : v <= tree.threshold[node]!) ? tree.left[node]! : tree.right[node]!;
  }
}

export function predictGbm(model: { readonly baseScore: number; readonly trees: readonly TreeArrays[] }, x: ArrayLike<number>): number {
  let sum = model.baseScore;
  for (const tree of model.trees) sum += predictTree(tree, x);
  return sum;
}
