import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogue, writeCatalogueLake } from '../test/catalogue-lake';
import { buildLakeCatalog } from './lake-catalog';
import { catalogFileName } from './lake-folder';
import { cleanedBeerTable, lakeTables } from './schema';

/** DuckDB's own CLI at the engine's version, installed into .venv by `make tools`. */
export const duckdbCli = join(import.meta.dirname, '..', '.venv', 'bin', 'duckdb');

let parent: string;
let lake: string;
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'brewlake-catalog-'));
  lake = join(parent, 'mylake');
  await mkdir(lake);
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

const duckdb = async (cwd: string, sql: string) => {
  if (!existsSync(duckdbCli)) throw new Error(`${duckdbCli} is missing: run \`make tools\``);
  const { stdout } = await promisify(execFile)(duckdbCli, ['-json', join(lake, catalogFileName), sql], { cwd });
  return JSON.parse(stdout || '[]') as Record<string, unknown>[];
};

it("DuckDB's own CLI, standing in the lake's parent, queries the catalog file: every view, de-duplicated beers", async () => {
  await writeCatalogueLake(lake, { redelivered: 7 });
  expect(await buildLakeCatalog(lake)).toBe(join(lake, catalogFileName));
  expect(await duckdb(parent, 'select count(*) as n from beers')).toEqual([{ n: catalogue.length }]);
  expect(await duckdb(parent, 'select count(*) as n from cleaned')).toEqual([{ n: catalogue.length + 7 }]);
  expect(await duckdb(parent, 'select count(*) as n from prediction_log')).toEqual([{ n: 0 }]);
  const views = await duckdb(parent, 'select view_name from duckdb_views() where not internal order by view_name');
  expect(views.map((v) => v.view_name)).toEqual([...lakeTables.map((t) => t.name), 'beers'].sort());
  // No staging file is left behind.
  expect((await readdir(lake)).filter((n) => n.startsWith('.'))).toEqual([]);
});

it('carries every column description of glue/schema as a DuckDB comment', async () => {
  await writeCatalogueLake(lake);
  await buildLakeCatalog(lake);
  const comments = await duckdb(parent, "select column_name, comment from duckdb_columns() where table_name = 'cleaned' order by column_index");
  expect(comments).toEqual(cleanedBeerTable.columns.map((c) => ({ column_name: c.name, comment: c.comment })));
  const tableComment = await duckdb(parent, "select comment from duckdb_views() where view_name = 'beers'");
  expect(tableComment[0]?.comment).toMatch(/latest cleaned record/);
});

it('paths are relative: the lake moved with its parent still answers, after no rebuild', async () => {
  await writeCatalogueLake(lake);
  await buildLakeCatalog(lake);
  const moved = await mkdtemp(join(tmpdir(), 'brewlake-catalog-moved-'));
  try {
    await promisify(execFile)('cp', ['-r', lake, moved]);
    const { stdout } = await promisify(execFile)(duckdbCli, ['-json', join('mylake', catalogFileName), 'select count(*) as n from beers'], { cwd: moved });
    expect(JSON.parse(stdout)).toEqual([{ n: catalogue.length }]);
  } finally {
    await rm(moved, { recursive: true, force: true });
  }
});

it('a rebuild sees files delivered since, and readers opening the catalog meanwhile always find a whole one', async () => {
  await buildLakeCatalog(lake);
  const stop = { now: false };
  let opened = 0;
  const reader = (async () => {
    while (!stop.now) {
      const instance = await DuckDBInstance.create(join(lake, catalogFileName), { access_mode: 'READ_ONLY' });
      const connection = await instance.connect();
      const names = (await connection.runAndReadAll('select view_name from duckdb_views() where not internal')).getRows().flat();
      expect(names).toContain('beers');
      connection.closeSync();
      instance.closeSync();
      opened += 1;
    }
  })();
  try {
    for (let i = 0; i < 5; i++) await buildLakeCatalog(lake);
    await writeCatalogueLake(lake);
    await buildLakeCatalog(lake);
  } finally {
    stop.now = true;
    await reader;
  }
  expect(opened).toBeGreaterThan(0);
  expect(await duckdb(parent, 'select count(*) as n from beers')).toEqual([{ n: catalogue.length }]);
});
