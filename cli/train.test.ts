/** `brewlake train`, the real binary. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanedBeerTable } from '../glue/schema';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { runBrewlake } from '../test/run-brewlake';
import { registryLocation } from './train';

const root = join(import.meta.dirname, '..');

describe('brewlake train', () => {
  it('on an empty lake names the lake and how to fill it, as serve does', async () => {
    // A lake (it has a table folder), with no beers in it yet.
    const lake = await mkdtemp(join(tmpdir(), 'empty-lake-'));
    await mkdir(join(lake, cleanedBeerTable.name));
    const failed = await promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'train', '--lake', lake], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`the lake at ${lake} has no beers to train on: build it first with \`npx brewlake demo --once --lake ${lake}\``);
    expect(failed?.stderr).not.toMatch(/fitGbm/);
  });

  it('scores on the shipped folds, and refuses a lake missing their beers instead of silently using other folds', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'partial-lake-'));
    const arrived = new Date('2024-06-01T12:00:00.000Z');
    await writeLakeFile(lake, cleanedBeerTable, catalogue.filter((b) => b.id !== 1 && b.id !== 2).map((b) => cleanedRowOf(b, arrived)), { time: arrived, id: 'partial' });
    const failed = await promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'train', '--lake', lake, '--features', 'base'], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/2 beer\(s\) listed in \S*model\/eval\/folds\.json are not in the training data \(1, 2\)/);
    expect(failed?.stderr).toMatch(/--folds shuffles/);
  });
});

describe('brewlake train --registry', () => {
  it.each(['', ' ', '\t'])('refuses an empty --registry (%j), naming the option, instead of writing into ./versions/', (registry) => {
    expect(() => registryLocation({ registry, lake: 'lake' })).toThrow(/^--registry is empty/);
  });

  it('defaults to <lake>/_models when the option is left out, and keeps a given location', () => {
    expect(registryLocation({ lake: 'lake' })).toBe('lake/_models');
    expect(registryLocation({ registry: 's3://models-bucket/models/', lake: 'lake' })).toBe('s3://models-bucket/models/');
  });
});

describe('brewlake train on a lake too small or unlabelled', () => {
  const run = (...args: string[]) => runBrewlake(['train', ...args], { timeoutMs: 60_000 });
  const lakeOf = async (beers: readonly unknown[]) => {
    const lake = await mkdtemp(join(tmpdir(), 'small-lake-'));
    const arrived = new Date('2024-06-01T12:00:00.000Z');
    await writeLakeFile(lake, cleanedBeerTable, beers.map((b) => cleanedRowOf(b, arrived)), { time: arrived, id: 'small' });
    return lake;
  };
  const labelled = catalogue.filter((b) => b.ibu !== null && b.id !== 137 && b.id !== 185);

  it.each([1, 3, 4])('--folds shuffles with %i beer(s) with an IBU names the count and the 5 the folds need', async (n) => {
    const lake = await lakeOf(labelled.slice(0, n));
    const { code, stdout, stderr } = await run('--folds', 'shuffles', '--features', 'base', '--lake', lake);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`brewlake: the training data holds ${n} beer(s) with a measured IBU: 5x5-fold shuffles (seed 11) need at least 5 (a beer to test in each of 5 folds)`);
    expect(stderr).not.toMatch(/scoreRegression|fitGbm/);
    await expect(readdir(join(lake, '_models'))).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('a lake whose beers all lack an IBU is told so, not to build the lake', async () => {
    const lake = await lakeOf(catalogue.slice(0, 7).map((b) => ({ ...b, ibu: null })));
    const { code, stderr } = await run('--lake', lake);
    expect(code).toBe(1);
    expect(stderr).toBe(`brewlake: the lake at ${lake} holds 7 beer(s), none with a measured IBU (the model's target, column ibu): nothing to train on until beers with an ibu arrive\n`);
  }, 60_000);

  it('the shuffles hint of a lake missing the shipped folds\' beers carries its --lake', async () => {
    const lake = await lakeOf(labelled.slice(0, 10));
    const { stderr } = await run('--features', 'base', '--lake', lake);
    expect(stderr).toContain(`\`npx brewlake train --folds shuffles --lake ${lake}\``);
  }, 60_000);
});
