import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogue, writeCatalogueLake } from '../test/catalogue-lake';
import { duckdbCli, duckdbJson, openDuckDbSession } from '../test/duckdb-cli';
import { buildLakeCatalog, CatalogNotBuilt, describeLakeTables } from './lake-catalog';
import { catalogFileName } from './lake-folder';
import { cleanedBeerTable, lakeTables } from './schema';

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

const duckdb = (cwd: string, sql: string) => duckdbJson(join(lake, catalogFileName), sql, cwd);

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

describe("DuckDB's CLI holding the catalog open (as `duckdb lake/brewlake.duckdb` in another terminal)", () => {
  it('a rebuild still replaces it, readers opening it afterwards see the new files, and the session keeps its old catalog', async () => {
    await buildLakeCatalog(lake);
    const session = await openDuckDbSession(join('mylake', catalogFileName), parent);
    try {
      expect(await session.query('select count(*) from beers')).toEqual(['0']);
      await writeCatalogueLake(lake);
      await buildLakeCatalog(lake);
      expect(await duckdb(parent, 'select count(*) as n from beers')).toEqual([{ n: catalogue.length }]);
      // The open session reads the catalog it opened, whole, until it reopens.
      expect(await session.query('select count(*) from beers')).toEqual(['0']);
    } finally {
      await session.close();
    }
    expect((await readdir(lake)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('describing the tables (`brewlake tables`) never opens the file, so its lock cannot fail it', async () => {
    await writeCatalogueLake(lake);
    await buildLakeCatalog(lake);
    const session = await openDuckDbSession(join('mylake', catalogFileName), parent);
    try {
      const tables = await describeLakeTables(lake);
      expect(tables.map((t) => t.name)).toEqual([...lakeTables.map((t) => t.name), 'beers']);
      expect(tables.find((t) => t.name === 'cleaned')?.columns.map((c) => [c.name, c.description])).toEqual(cleanedBeerTable.columns.map((c) => [c.name, c.comment]));
    } finally {
      await session.close();
    }
  });
});

it('describing the tables writes nothing: a lake without a catalog file stays without one', async () => {
  await writeCatalogueLake(lake);
  expect((await describeLakeTables(lake)).map((t) => t.name)).toContain('beers');
  await expect(stat(join(lake, catalogFileName))).rejects.toThrow(/ENOENT/);
});

it('a catalog that cannot be put in place fails with one line naming the file, and the old catalog still answers', async () => {
  await writeCatalogueLake(lake);
  await buildLakeCatalog(lake);
  await writeCatalogueLake(lake, { redelivered: 7 });
  const refused = Object.assign(new Error('EBUSY: resource busy or locked, rename'), { code: 'EBUSY' });
  const failed = await buildLakeCatalog(lake, { replace: () => Promise.reject(refused) }).catch((error: unknown) => error);
  expect(failed).toBeInstanceOf(CatalogNotBuilt);
  const message = (failed as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  expect(message).toContain(join(lake, catalogFileName));
  expect(message).toMatch(/EBUSY.*previous catalog is kept.*duckdb -readonly/);
  expect(await duckdb(parent, 'select count(*) as n from cleaned')).toEqual([{ n: catalogue.length }]);
  expect((await readdir(lake)).filter((n) => n.startsWith('.'))).toEqual([]);
});

it('rebuilds in one process land in the order they were asked for: an older listing never replaces a newer one', async () => {
  await buildLakeCatalog(lake);
  // The first rebuild (listing an empty lake) is slow to put its file in place; the second, asked after files arrived, is quick.
  const slow = buildLakeCatalog(lake, { replace: async (staging, target) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await rename(staging, target);
  } });
  await writeCatalogueLake(lake);
  await Promise.all([slow, buildLakeCatalog(lake)]);
  expect(await duckdb(parent, 'select count(*) as n from beers')).toEqual([{ n: catalogue.length }]);
});
