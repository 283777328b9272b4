import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbLake, type DuckDbLakeEngine } from './duckdb';
import { catalogue, writeCatalogueLake } from '../test/catalogue-lake';
import type { JsonValue } from './query-engine';
import { SavedQueryInvalid, SavedQueryNotFound, parseSavedQuery, savedQueries, savedQuery } from './saved-queries';

describe('parseSavedQuery', () => {
  it('reads the header and keeps the statement without its trailing semicolon', () => {
    const q = parseSavedQuery('top.sql', '-- name: top\n-- description: The top one.\n-- why: a note\nselect 1;\n');
    expect(q).toEqual({ name: 'top', description: 'The top one.', sql: '-- why: a note\nselect 1' });
  });

  it.each([
    ['select 1', /no "-- name/],
    ['-- name: other\n-- description: d\nselect 1', /names it "other", the file is "top"/],
    ['-- name: top\nselect 1', /no "-- description/],
    ['-- name: top\n-- description: d\n', /no statement/],
    ['-- name: top\n-- name: top\n-- description: d\nselect 1', /repeats "name"/],
  ])('rejects a malformed file: %j', (text, reason) => {
    expect(() => parseSavedQuery('top.sql', text)).toThrow(SavedQueryInvalid);
    expect(() => parseSavedQuery('top.sql', text)).toThrow(reason);
  });
});

describe('savedQueries', () => {
  it('loads every file in glue/queries with a name and a description', () => {
    const names = savedQueries().map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['strongest-beers', 'ibu-by-abv-band', 'beers-per-first-brew-month', 'data-quality-flags']));
    expect(() => savedQuery('no-such-query')).toThrow(SavedQueryNotFound);
  });
});

describe('the saved queries on a lake of the real catalogue', () => {
  let lake: string;
  let engine: DuckDbLakeEngine;
  const run = async (name: string) => (await engine.query(savedQuery(name).sql)).rows;
  const num = (v: JsonValue | undefined) => v as number;

  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'brewlake-saved-'));
    await writeCatalogueLake(lake, { redelivered: 40 });
    engine = await openDuckDbLake(lake);
  });
  afterAll(async () => {
    await engine.close();
    await rm(lake, { recursive: true, force: true });
  });

  it('every saved query runs and returns rows', async () => {
    for (const q of savedQueries()) expect((await engine.query(q.sql)).rows.length, q.name).toBeGreaterThan(0);
  });

  it('beers counts every catalogue beer once despite redelivery', async () => {
    expect((await engine.query('select count(*) as n, count(distinct id) as ids from beers')).rows).toEqual([{ n: 325, ids: 325 }]);
    expect((await engine.query('select count(*) as n from cleaned')).rows).toEqual([{ n: 365 }]);
  });

  it('strongest-beers lists the ten highest abv, strongest first', async () => {
    const rows = await run('strongest-beers');
    const top = [...catalogue].filter((b) => b.abv !== null).sort((a, b) => (b.abv ?? 0) - (a.abv ?? 0) || a.id - b.id).slice(0, 10);
    expect(rows.map((r) => r.id)).toEqual(top.map((b) => b.id));
    expect(rows[0]).toMatchObject({ name: top[0]?.name, abv: top[0]?.abv });
  });

  it('ibu-by-abv-band counts every beer with an abv, and shows the 1157 outlier above its band median', async () => {
    const rows = await run('ibu-by-abv-band');
    expect(rows.map((r) => r.abv_band)).toEqual(['0-4', '4-6', '6-8', '8-10', '10-15', '15+']);
    const total = rows.reduce((sum, r) => sum + num(r.beers), 0);
    expect(total).toBe(catalogue.filter((b) => b.abv !== null).length);
    const withOutlier = rows.find((r) => r.max_ibu === 1157);
    expect(withOutlier?.most_bitter).toBe('Tactical Nuclear Penguin');
    expect(num(withOutlier?.mean_ibu)).toBeGreaterThan(num(withOutlier?.median_ibu));
  });

  it('ibu-by-abv-band medians equal a median computed here', async () => {
    const rows = await run('ibu-by-abv-band');
    const band = rows.find((r) => r.abv_band === '4-6');
    const ibus = catalogue.filter((b) => b.abv != null && b.abv >= 4 && b.abv < 6 && b.ibu !== null).map((b) => b.ibu as number).sort((a, b) => a - b);
    const mid = ibus.length / 2;
    const median = ibus.length % 2 ? ibus[Math.floor(mid)]! : (ibus[mid - 1]! + ibus[mid]!) / 2;
    expect(band?.median_ibu).toBe(Math.round(median * 10) / 10);
    expect(band?.beers_with_ibu).toBe(ibus.length);
  });

  it('beers-per-first-brew-month adds up to every beer with a year, months 1..12 or null', async () => {
    const rows = await run('beers-per-first-brew-month');
    expect(rows.reduce((sum, r) => sum + num(r.beers), 0)).toBe(325);
    for (const r of rows) expect(r.first_brewed_month === null || (num(r.first_brewed_month) >= 1 && num(r.first_brewed_month) <= 12)).toBe(true);
    const april2013 = catalogue.filter((b) => b.first_brewed === '04/2013').length;
    expect(rows.find((r) => r.first_brewed_year === 2013 && r.first_brewed_month === 4)?.beers).toBe(april2013);
  });

  it('data-quality-flags shows the ph 79 beer with its ph nulled', async () => {
    const rows = await run('data-quality-flags');
    const ph79 = catalogue.find((b) => b.ph === 79);
    expect(rows).toContainEqual(expect.objectContaining({ id: ph79?.id, flag: 'ph_out_of_range', ph: null }));
  });
});
