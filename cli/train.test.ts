/** `brewlake train`, the real binary. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanedBeerTable } from '../glue/schema';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
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
