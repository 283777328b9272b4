import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binEdges, defaultGbmParams, fitGbm, predictGbm, seededRandom } from './gbm';
import { scoreRegression } from './metrics';

const data = (n: number, seed: number, f: (x: number[]) => number) => {
  const random = seededRandom(seed);
  const X = Array.from({ length: n }, () => [random() * 10, random() * 10, random()]);
  return { X, y: X.map((x) => f(x) + random() * 0.1) };
};

describe('gradient-boosted trees', () => {
  it('learn a non-linear function of two features and ignore a noise feature', () => {
    const { X, y } = data(400, 3, (x) => Math.sin(x[0]!) * 5 + x[1]!);
    const model = fitGbm(X.slice(0, 300), y.slice(0, 300), { ...defaultGbmParams, loss: 'squared' });
    const scores = scoreRegression(y.slice(300), X.slice(300).map((x) => predictGbm(model, x)));
    expect(scores.r2).toBeGreaterThan(0.95);
    expect(model.gain[2]!).toBeLessThan(model.gain[0]! / 20);
  });

  it('send a missing value down the side the training data with missing values chose', () => {
    // Rows whose feature is missing have a high target: NaN must go with the high side.
    const X = [...Array.from({ length: 50 }, (_, i) => [i]), ...Array.from({ length: 20 }, () => [Number.NaN])];
    const y = [...Array.from({ length: 50 }, (_, i) => (i < 25 ? 0 : 10)), ...Array.from({ length: 20 }, () => 30)];
    const model = fitGbm(X, y, { ...defaultGbmParams, loss: 'squared', subsample: 1, minSamplesLeaf: 1 });
    expect(predictGbm(model, [Number.NaN])).toBeGreaterThan(25);
    expect(predictGbm(model, [3])).toBeLessThan(3);
  });

  it('send a missing value the majority way where training had none to learn from', () => {
    // 40 rows at or below the cut have target 0, 10 above it have 100: NaN must go with the 40.
    const X = Array.from({ length: 50 }, (_, i) => [i]);
    const y = X.map(([x]) => (x! < 40 ? 0 : 100));
    const model = fitGbm(X, y, { ...defaultGbmParams, loss: 'squared', subsample: 1, minSamplesLeaf: 1 });
    expect(predictGbm(model, [Number.NaN])).toBeLessThan(10);
  });

  it('are deterministic for a seed, and differ for another when rows are subsampled', () => {
    const { X, y } = data(200, 5, (x) => x[0]! * 2);
    const params = { ...defaultGbmParams, subsample: 0.7, trees: 30 };
    const a = fitGbm(X, y, params);
    expect(fitGbm(X, y, params)).toEqual(a);
    expect(fitGbm(X, y, { ...params, seed: 2 })).not.toEqual(a);
  });

  it('predict the mean (squared) or median (huber) when nothing can be split', () => {
    const X = [[1], [1], [1], [1]];
    expect(predictGbm(fitGbm(X, [1, 2, 3, 10], { ...defaultGbmParams, loss: 'squared', subsample: 1 }), [1])).toBeCloseTo(4, 6);
    expect(predictGbm(fitGbm(X, [1, 2, 3, 10], { ...defaultGbmParams, loss: 'huber', trees: 1 }), [1])).toBeGreaterThanOrEqual(2);
  });

  it('refuse to train on nothing, or on mismatched targets', () => {
    expect(() => fitGbm([], [])).toThrow(/no rows/);
    expect(() => fitGbm([[1]], [1, 2])).toThrow(/1 rows but 2 targets/);
  });

  it('bin edges separate every pair of distinct values, for any values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 2, maxLength: 200 }), (values) => {
        const edges = binEdges(values, 255);
        for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
        const distinct = [...new Set(values)].sort((a, b) => a - b);
        if (distinct.length <= 255) {
          expect(edges.length).toBe(distinct.length - 1);
          edges.forEach((e, i) => {
            expect(distinct[i]!).toBeLessThanOrEqual(e);
            expect(e).toBeLessThan(distinct[i + 1]!);
          });
        }
      }),
      { numRuns: 500 },
    );
  });
});
