import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { openDuckDbLake, type DuckDbLakeEngine } from './duckdb';
import { hourFolder } from './layout';
import type { QueryEngine } from './query-engine';
import { cleanedBeerTable } from './schema';
import { tableWindowSql } from './table-window';

let lake: string;
let engine: DuckDbLakeEngine | undefined;
beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-window-'));
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await rm(lake, { recursive: true, force: true });
});

const now = new Date('2024-06-10T12:30:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe('tableWindowSql', () => {
  it('reads the hours of the window and never opens a file outside them', async () => {
    // One beer an hour for three days, and an unreadable file 40 hours back: a reader that
    // opened it would fail the query.
    for (let h = 0; h < 72; h++) {
      await writeLakeFile(lake, cleanedBeerTable, [cleanedRowOf(catalogue[h]!, hoursAgo(h))], { time: hoursAgo(h), id: `h${h}` });
    }
    const poisoned = join(lake, cleanedBeerTable.prefix, hourFolder(hoursAgo(40)));
    await mkdir(poisoned, { recursive: true });
    await writeFile(join(poisoned, 'cleaned-1-poison'), '{"id": "not json at all\n');
    engine = await openDuckDbLake(lake, { tables: [] });

    const window = { from: hoursAgo(24), to: now };
    const relation = await tableWindowSql(engine, cleanedBeerTable, window);
    const { rows } = await engine.query(`select count(*) as n from ${relation} as w where arrived_at >= timestamp '2024-06-09 12:30:00'`);
    expect(rows[0]?.n).toBe(25); // hours 0 to 24 back, both ends inclusive
    // The same query over every hour does open the poisoned file.
    const everything = await tableWindowSql(engine, cleanedBeerTable, { from: hoursAgo(72), to: now });
    await expect(engine.query(`select count(*) from ${everything} as w`)).rejects.toThrow();
  });

  it('is an empty relation with the schema columns when the window has no files', async () => {
    engine = await openDuckDbLake(lake, { tables: [] });
    const relation = await tableWindowSql(engine, cleanedBeerTable, { from: hoursAgo(2), to: now });
    const { rows, columns } = await engine.query(`select * from ${relation} as w`);
    expect(rows).toEqual([]);
    expect(columns.map((c) => c.name)).toEqual(cleanedBeerTable.columns.map((c) => c.name));
  });

  it('on Athena, restricts the Glue table to the window hours partitions', async () => {
    const athena: QueryEngine = { kind: 'athena', query: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() };
    const relation = await tableWindowSql(athena, cleanedBeerTable, { from: new Date('2024-06-10T10:15:00Z'), to: new Date('2024-06-10T11:00:00Z') });
    expect(relation).toBe(`(select * from "cleaned" where "dt" in ('2024/06/10/10', '2024/06/10/11', '2024/06/10/12'))`);
  });
});
