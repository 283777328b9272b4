import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeScores, type CvResult } from './evaluate';
import { ibuDecimals, roundIbu } from './ibu-precision';
import type { Lineage } from './registry';
import { renderReport } from './report';
import { ibuModelParams, trainIbuModel } from './train';

const rows = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, abv: 4 + (i % 7), target_fg: 1010, target_og: 1050 + i, ebc: 10 + i, srm: 5, ph: 4.4, ibu: 20 + 2 * i }));
const artifact = trainIbuModel(rows, { featureSet: 'base', params: { trees: 5 } });
const lineage: Lineage = { version: 'v1', featureSet: 'base', trainedAt: '', engine: 'test', sql: 'select 1', rows: rows.length, dataHash: '0'.repeat(64), params: ibuModelParams.base, codeVersion: 'test' };
const scores = { r2: 0.5, rmse: 10, mae: 8 };

const cvOf = (predictions: readonly number[]): CvResult => ({
  featureSet: 'base',
  plan: 'test',
  folds: [{ repeat: 0, all: scores, withoutOutliers: scores, predictions: new Map(predictions.map((p, i) => [i + 1, p])) }],
  summary: summarizeScores([scores]),
  withoutOutliers: summarizeScores([scores]),
});

describe('the model report', () => {
  it(`shows each predicted IBU as the API answers it (${ibuDecimals} decimals), never rounded further`, () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 1500, noNaN: true }), { minLength: 1, maxLength: rows.length }), (predictions) => {
        const html = renderReport({ artifact, lineage, cv: cvOf(predictions), actual: new Map(rows.map((r) => [r.id, r.ibu])) });
        const shown = [...html.matchAll(/<title>(\d+): actual [\d.]+, predicted (-?[\d.e+-]+)<\/title>/g)].map((m) => [Number(m[1]), m[2]!] as const);
        expect(shown).toHaveLength(predictions.length);
        for (const [id, text] of shown) expect(text).toBe(String(roundIbu(predictions[id - 1]!)));
      }),
      { numRuns: 50 },
    );
  });
});
