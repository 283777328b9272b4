import { expect, it } from 'vitest';
import type { ColumnDrift } from '../model/drift';
import { driftTable } from './drift';

const column = (name: string, i: number): ColumnDrift => ({
  name,
  n: 1000 + i,
  missingShare: i / 30,
  trainingMissingShare: 0.5,
  psi: i % 4 === 0 ? null : i * 0.731,
  ks: i % 4 === 0 ? null : 0.01 * i,
  status: i % 4 === 0 ? 'not enough data' : i % 3 === 0 ? 'drift' : 'ok',
  drifted: i % 3 === 0 && i % 4 !== 0,
  bins: [],
  training: [],
  live: [],
});
const columns = ['abv', 'target_og', 'hops_bittering_alpha_weighted_grams_per_litre', 'hop_aroma_late_addition_grams', 'predicted_ibu'].map(column);

it('fits the terminal as `query` prints a table: every line within the width, long feature names cut with …', () => {
  const natural = driftTable(columns);
  expect(Math.max(...natural.map((l) => l.length))).toBeGreaterThan(80);
  const fitted = driftTable(columns, { width: 80 });
  expect(fitted).toHaveLength(natural.length);
  for (const line of fitted) expect(line.length).toBeLessThanOrEqual(80);
  expect(fitted[0]).toMatch(/^feature\s+n\s+missing\s+train missing\s+PSI\s+KS\s+status$/);
  expect(fitted[4]).toMatch(/^hops_bittering\S*…\s+1002\s+7%\s+50%\s+1\.462\s+0\.020\s+ok$/);
  expect(fitted[2]).toMatch(/^abv\s+1000\s+0%\s+50%\s+—\s+—\s+not enough data$/);
});

it('right-aligns the numbers and shares, left-aligns feature and status', () => {
  const [header, , abv] = driftTable(columns);
  expect(header!.indexOf('missing') + 'missing'.length).toBe(abv!.indexOf('0%') + 2);
  expect(header!.indexOf('status')).toBe(abv!.indexOf('not enough data'));
});
