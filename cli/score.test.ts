/** `brewlake train` then `brewlake score`, the real binary: out-of-fold rows, and a re-run that replaces. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../glue/duckdb';
import { shuffledFolds } from '../model/evaluate';
import { writeCatalogueLake } from '../test/catalogue-lake';

const root = join(import.meta.dirname, '..');
const brewlake = (...args: string[]) => promisify(execFile)(process.execPath, ['bin/brewlake.mjs', ...args], { cwd: root });

describe('brewlake score', () => {
  it('replaces its version rows on a re-run; train writes out-of-fold rows, and the hint points at them', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'score-'));
    const beers = await writeCatalogueLake(lake);
    const ids = beers.filter((b) => b.ibu !== null).map((b) => b.id);
    // Two repeats of 5 folds keep the test short; the file has the shipped folds' shape.
    const plan = shuffledFolds(ids, { repeats: 2 });
    const folds = join(lake, 'folds.json');
    const repeats = [0, 1].map((r) => ({ folds: plan.folds.filter((f) => f.repeat === r).map((f) => ({ test_ids: f.testIds, train_ids: f.trainIds })) }));
    await writeFile(folds, JSON.stringify({ beer_ids: ids, repeats }));

    await brewlake('train', '--lake', lake, '--features', 'base', '--folds', folds);
    const first = await brewlake('score', '--lake', lake);
    const second = await brewlake('score', '--lake', lake);
    expect(second.stdout).toMatch(/in-sample fits/);
    expect(second.stdout).toMatch(/where kind = 'out_of_fold'/);
    expect(second.stdout).not.toMatch(/order by abs\(predicted_ibu - ibu\) desc limit 10"$/m);

    const engine = await openDuckDbLake(lake);
    try {
      const count = async (kind: string) => (await engine.query(`select count(*) as n, count(distinct id) as ids, count(distinct model_version) as versions from predictions where kind = '${kind}'`)).rows[0];
      expect(await count('in_sample')).toEqual({ n: 325, ids: 325, versions: 1 });
      expect(await count('out_of_fold')).toEqual({ n: ids.length * 2, ids: ids.length, versions: 1 });
      // Out-of-fold: each beer once per repeat, predicted by a model that did not train on it.
      const perRepeat = (await engine.query(`select repeat, count(*) as n from predictions where kind = 'out_of_fold' group by repeat order by repeat`)).rows;
      expect(perRepeat).toEqual([{ repeat: 0, n: ids.length }, { repeat: 1, n: ids.length }]);
    } finally {
      await engine.close();
    }
    expect(first.stdout.split('\n')[0]).toBe(second.stdout.split('\n')[0]);

    // The hint works when pasted: it names the lake it was given (not the default one).
    const hint = second.stdout.split('\n').find((line) => line.startsWith('  npx brewlake query'))!.trim();
    expect(hint).toMatch(new RegExp(`--lake ${lake}$`));
    const pasted = await promisify(execFile)('sh', ['-c', hint.replace(/^npx brewlake /, `"${process.execPath}" bin/brewlake.mjs `)], { cwd: root });
    expect(pasted.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(11);
  });
});
