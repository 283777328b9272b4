import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftReport, ksStatistic, populationStabilityIndex, summarizeColumn, summarizeTraining } from './drift';
import { seededRandom } from './gbm';

const sample = (n: number, seed: number, f: (u: number) => number) => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => f(random()));
};
const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });

describe('the Kolmogorov–Smirnov statistic', () => {
  it('is in [0, 1], symmetric, and 0 for a sample against itself', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const d = ksStatistic(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(ksStatistic(b, a)).toBeCloseTo(d, 12);
        expect(ksStatistic(a, a)).toBe(0);
      }),
    );
  });

  it('is 1 for samples that do not overlap', () => {
    expect(ksStatistic([1, 2, 3], [4, 5])).toBe(1);
  });
});

describe('the population stability index', () => {
  it('is never negative, and about 0 for a sample like the training one', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        expect(populationStabilityIndex(summarizeColumn('x', a), b)).toBeGreaterThanOrEqual(0);
      }),
    );
    const reference = summarizeColumn('abv', sample(400, 1, (u) => 4 + 6 * u));
    expect(populationStabilityIndex(reference, sample(400, 2, (u) => 4 + 6 * u))).toBeLessThan(0.1);
  });

  it('grows with the shift', () => {
    const reference = summarizeColumn('abv', sample(400, 1, (u) => 4 + 6 * u));
    const small = populationStabilityIndex(reference, sample(400, 2, (u) => 4.5 + 6 * u));
    const large = populationStabilityIndex(reference, sample(400, 2, (u) => 2 * (4 + 6 * u)));
    expect(large).toBeGreaterThan(small);
    expect(large).toBeGreaterThan(0.2);
  });

  it('counts missing values as a bin of their own', () => {
    const reference = summarizeColumn('ph', sample(300, 3, (u) => 4 + u));
    const live = sample(300, 4, (u) => (u < 0.5 ? Number.NaN : 4 + u));
    expect(populationStabilityIndex(reference, live)).toBeGreaterThan(0.2);
  });
});

describe('a drift report', () => {
  it('flags the doubled feature, and only it', () => {
    const rows = sample(300, 5, (u) => u).map((u, i) => [4 + 6 * u, 1010 + (i % 30)]);
    const summary = summarizeTraining(['abv', 'target_fg'], rows, rows.map((r) => r[0]! * 10));
    const live = sample(300, 6, (u) => u).map((u, i) => [2 * (4 + 6 * u), 1010 + ((i * 7) % 30)]);
    const report = driftReport(summary, live, live.map((r) => r[0]! * 5));
    expect(report.features.map((f) => [f.name, f.drifted])).toEqual([['abv', true], ['target_fg', false]]);
    expect(report.drifted).toBe(true);
    const calm = driftReport(summary, rows, rows.map((r) => r[0]! * 10));
    expect(calm.drifted).toBe(false);
  });
});
