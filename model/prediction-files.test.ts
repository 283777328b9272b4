import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../glue/duckdb';
import type { PredictionRow } from '../glue/schema';
import { replacePredictionRows } from './prediction-files';

const rowsOf = (version: string, n: number, value: number): PredictionRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, name: null, ibu: null, predicted_ibu: value, model_version: version, feature_set: 'hops', kind: 'in_sample', repeat: null, scored_at: '2026-01-01 00:00:00.000' }));

describe('the predictions table files', () => {
  it('a re-write replaces its version and kind atomically: a reader always sees one whole set, never none, never both', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'predictions-'));
    await replacePredictionRows(lake, 'v2', 'in_sample', rowsOf('v2', 7, 1));
    await replacePredictionRows(lake, 'v1', 'in_sample', rowsOf('v1', 300, 0));
    const engine = await openDuckDbLake(lake);
    try {
      let writing = true;
      const writer = (async () => {
        for (let k = 1; k <= 30; k++) await replacePredictionRows(lake, 'v1', 'in_sample', rowsOf('v1', 300, k));
        writing = false;
      })();
      const seen: string[] = [];
      while (writing) {
        const { rows } = await engine.query(`select model_version, count(*) as n, count(distinct predicted_ibu) as values from predictions group by model_version order by model_version`);
        seen.push(JSON.stringify(rows.map((r) => [r.model_version, r.n, r.values])));
      }
      await writer;
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([JSON.stringify([['v1', 300, 1], ['v2', 7, 1]])]));
      const last = (await engine.query(`select min(predicted_ibu) as v from predictions where model_version = 'v1'`)).rows[0];
      expect(last).toEqual({ v: 30 });
    } finally {
      await engine.close();
    }
  });

  it('refuses rows of another version or kind', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'predictions-'));
    await expect(replacePredictionRows(lake, 'v1', 'out_of_fold', rowsOf('v1', 2, 0))).rejects.toThrow(/v1's out_of_fold/);
  });
});
