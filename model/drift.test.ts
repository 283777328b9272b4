import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerDrift, columnDrift, driftReport, ksStatistic, minDriftSample, populationStabilityIndex, summarizeColumn, summarizeTraining } from './drift';
import { seededRandom } from './gbm';
import { roundIbu } from './ibu-precision';

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

  it('judges only the values present: a missing value is reported apart, never binned', () => {
    const reference = summarizeColumn('ph', sample(300, 3, (u) => 4 + u));
    const same = sample(300, 4, (u) => 4 + u);
    const halfMissing = same.map((v, i) => (i % 2 === 0 ? Number.NaN : v));
    expect(populationStabilityIndex(reference, halfMissing)).toBeLessThan(0.1);
    const column = columnDrift(reference, halfMissing);
    expect(column.n).toBe(150);
    expect(column.missingShare).toBeCloseTo(0.5, 12);
    expect(column.status).toBe('ok');
  });
});

describe('the minimum sample', () => {
  it(`is "not enough data" below ${minDriftSample} values, whatever the values`, () => {
    const reference = summarizeColumn('abv', sample(400, 1, (u) => 4 + 6 * u));
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: minDriftSample - 1 }), fc.nat(500), (live, missing) => {
        const column = columnDrift(reference, [...live, ...new Array<number>(missing).fill(Number.NaN)]);
        expect(column.status).toBe('not enough data');
        expect(column.drifted).toBe(false);
        expect(column.psi).toBeNull();
        expect(column.ks).toBeNull();
      }),
    );
    // One request holding one far-off beer: no PSI at all, where a PSI of several would have been drawn.
    expect(columnDrift(reference, [40]).psi).toBeNull();
    expect(columnDrift(reference, sample(minDriftSample, 2, (u) => 40 + u)).status).toBe('drift');
  });

  it('makes an empty window "not enough data", not "no drift"', () => {
    const rows = sample(300, 5, (u) => u).map((u) => [4 + 6 * u, 1010 + u * 30]);
    const summary = summarizeTraining(['abv', 'target_fg'], rows, rows.map((r) => r[0]! * 10));
    const report = driftReport(summary, [], []);
    expect(report.verdict).toBe('not enough data');
    expect(report.drifted).toBe(false);
  });
});

describe('a drift report', () => {
  it('flags the doubled feature, and only it', () => {
    const rows = sample(300, 5, (u) => u).map((u, i) => [4 + 6 * u, 1010 + (i % 30)]);
    const answersOf = (vectors: number[][]) => vectors.map((r) => ({ ibu: r[0]! * 10, featureSet: 'base' }));
    const summary = summarizeTraining(['abv', 'target_fg'], rows, rows.map((r) => r[0]! * 10), { base: { values: answersOf(rows).map((a) => a.ibu), kind: 'in_sample' } });
    const live = sample(300, 6, (u) => u).map((u, i) => [2 * (4 + 6 * u), 1010 + ((i * 7) % 30)]);
    const report = driftReport(summary, live, answersOf(live));
    expect(report.features.map((f) => [f.name, f.drifted])).toEqual([['abv', true], ['target_fg', false]]);
    expect(report.predictions.map((f) => [f.name, f.drifted])).toEqual([['predicted_ibu (base)', true]]);
    expect(report.drifted).toBe(true);
    expect(report.verdict).toBe('drift');
    const calm = driftReport(summary, rows, answersOf(rows));
    expect(calm.drifted).toBe(false);
  });
});

describe('the answers', () => {
  // Two models of one training set: the hop-bill model spreads its answers like the IBUs it
  // learned from, the base fallback much less (as the real ones do, more so here).
  const ibus = sample(400, 7, (u) => 10 + 90 * u * u);
  const mean = ibus.reduce((s, v) => s + v, 0) / ibus.length;
  const narrow = ibus.map((v) => mean + 0.4 * (v - mean));
  const summary = summarizeTraining(['abv'], ibus.map((v) => [v / 10]), ibus, {
    hops: { values: ibus, kind: 'out_of_fold' },
    base: { values: narrow, kind: 'out_of_fold' },
  });
  const answers = (values: readonly number[], featureSet: string) => values.map((ibu) => ({ ibu, featureSet }));

  it('are judged per answering model, each against its own answers on the training rows', () => {
    const live = [...answers(ibus, 'hops'), ...answers(narrow, 'base'), ...answers(narrow, 'base')];
    const columns = answerDrift(summary, live);
    expect(columns.map((c) => [c.name, c.n, c.status])).toEqual([
      ['predicted_ibu (hops)', 400, 'ok'],
      ['predicted_ibu (base)', 800, 'ok'],
    ]);
    // The fallback's answers against the training target (the old reference) are a false drift.
    expect(columnDrift(summary.target, narrow).status).toBe('drift');
    // A fallback that moved is still flagged, and only it.
    const moved = answerDrift(summary, [...answers(ibus, 'hops'), ...answers(narrow.map((v) => v + 30), 'base')]);
    expect(moved.map((c) => [c.name, c.drifted])).toEqual([['predicted_ibu (hops)', false], ['predicted_ibu (base)', true]]);
  });

  it(`keep the minimum sample per answering model`, () => {
    fc.assert(
      fc.property(fc.nat(minDriftSample - 1), fc.integer({ min: minDriftSample, max: 600 }), (few, many) => {
        const columns = answerDrift(summary, [...answers(ibus.slice(0, few).map((v) => v + 500), 'base'), ...answers(Array.from({ length: many }, (_, i) => ibus[i % ibus.length]!), 'hops')]);
        expect(columns.find((c) => c.name === 'predicted_ibu (base)')).toMatchObject({ n: few, status: 'not enough data', psi: null, drifted: false });
        expect(columns.find((c) => c.name === 'predicted_ibu (hops)')!.status).toBe('ok');
      }),
      { numRuns: 30 },
    );
  });

  it('of a model trained before answers were summarised are "no reference": counted, never judged, never DRIFT', () => {
    const { answers: _none, ...old } = summary;
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 400 }), fc.constantFrom('hops', 'base'), (values, set) => {
        const report = driftReport(old, values.map(() => [5]), answers(values, set));
        expect(report.predictions).toEqual([expect.objectContaining({ name: `predicted_ibu (${set})`, n: values.length, status: 'no reference', psi: null, ks: null, drifted: false })]);
        expect(report.drifted).toBe(false);
      }),
      { numRuns: 50 },
    );
    // With nothing else judged, the verdict is "not enough data", not "no drift".
    expect(driftReport(old, [], answers(ibus, 'hops')).verdict).toBe('not enough data');
    // A logged feature_set naming no model of this one (nor an Object method) has no reference either.
    expect(answerDrift(summary, answers(ibus, 'constructor')).find((c) => c.name === 'predicted_ibu (constructor)')!.status).toBe('no reference');
  });

  it('label their bins at the precision the API answers', () => {
    // Hundreds of IBU with decimals: where four significant digits would drop one.
    const wide = ibus.map((v) => 10 * v + 0.123);
    const withWide = summarizeTraining(['abv'], wide.map((v) => [v]), wide, { hops: { values: wide, kind: 'in_sample' } });
    const edges = withWide.answers!.hops!.edges;
    expect(edges.some((e) => String(roundIbu(e)) !== String(+e.toPrecision(4)))).toBe(true);
    const [column] = answerDrift(withWide, answers(wide, 'hops'));
    expect(column!.bins).toEqual([`≤ ${roundIbu(edges[0]!)}`, ...edges.slice(1).map((e, i) => `${roundIbu(edges[i]!)}–${roundIbu(e)}`), `> ${roundIbu(edges.at(-1)!)}`]);
  });
});
