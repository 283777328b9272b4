import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, writeCatalogueLake } from '../test/catalogue-lake';
import { savedQueries } from '../glue/saved-queries';
import { runBrewlake } from '../test/run-brewlake';

const run = promisify(execFile);
const brewlake = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/brewlake.mjs', 'query', ...args], {
      env: { ...process.env, BREWLAKE_ATHENA_WORKGROUP: '', BREWLAKE_GLUE_DATABASE: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

let lake: string;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-cli-query-'));
  await writeCatalogueLake(lake, { redelivered: 25 });
});
afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe('brewlake query', () => {
  it('prints an aligned table, numbers right-aligned, NULL shown', async () => {
    const { code, stdout, stderr } = await brewlake('--lake', lake, 'select id, name, ibu from beers where id in (24, 185) order by id');
    expect(code).toBe(0);
    const ibu = (id: number) => catalogue.find((b) => b.id === id)?.ibu;
    expect(ibu(24)).toBeNull();
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ id  name\s+ ibu$/);
    expect(lines[2]).toMatch(/^ 24  The End Of History\s+NULL$/);
    expect(lines[3]).toMatch(/^185  Tactical Nuclear Penguin\s+1157$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(stderr).toContain('(2 rows)');
  });

  it('prints JSON rows, and counts each beer once', async () => {
    const { code, stdout } = await brewlake('--lake', lake, '--format', 'json', 'select count(*) as beers, count(distinct id) as ids from beers');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([{ beers: catalogue.length, ids: catalogue.length }]);
  });

  it('prints RFC 4180 CSV', async () => {
    const { stdout } = await brewlake('--lake', lake, '--format', 'csv', 'select id, name, dq_flags from beers where id = 317');
    const beer = catalogue.find((b) => b.id === 317)!;
    expect(stdout).toBe(`id,name,dq_flags\r\n317,${beer.name},"[""ph_out_of_range""]"\r\n`);
  });

  it('runs a saved query and lists them', async () => {
    const saved = await brewlake('--lake', lake, '--saved', 'strongest-beers', '--format', 'json');
    expect(saved.code).toBe(0);
    expect(JSON.parse(saved.stdout)).toHaveLength(10);
    const list = await brewlake('--list', '--format', 'json');
    expect(JSON.parse(list.stdout)).toEqual(savedQueries().map(({ name, description }) => ({ name, description })));
  });

  it('exits non-zero with the engine message on bad SQL, an unknown saved query or a missing Athena setting', async () => {
    const bad = await brewlake('--lake', lake, 'select nope from beers');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/nope/);
    expect(bad.stdout).toBe('');
    const unknown = await brewlake('--lake', lake, '--saved', 'no-such-query');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no saved query named no-such-query; saved queries: .*strongest-beers/);
    const athena = await brewlake('--engine', 'athena', 'select 1');
    expect(athena.code).not.toBe(0);
    expect(athena.stderr).toMatch(/--workgroup or BREWLAKE_ATHENA_WORKGROUP/);
  });

  it('refuses to read or write files outside the lake, naming the file and the flag; --allow-local-files reads them', async () => {
    const passwd = await brewlake('--lake', lake, "select count(*) as n from read_csv('/etc/passwd')");
    expect(passwd.code).not.toBe(0);
    expect(passwd.stderr).toMatch(/\/etc\/passwd is outside the lake .*--allow-local-files/);
    const copy = await brewlake('--lake', lake, `copy (select 1) to '${lake}/raw/poison.json'`);
    expect(copy.code).not.toBe(0);
    expect(copy.stderr).toMatch(/only reads .*COPY statement/);
    const attach = await brewlake('--lake', lake, `attach '${lake}/x.db'`);
    expect(attach.stderr).toMatch(/only reads .*ATTACH statement/);
    const allowed = await brewlake('--lake', lake, '--allow-local-files', '--format', 'json', "select count(*) > 0 as read from read_csv('/etc/passwd', header = false, delim = ':')");
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toEqual([{ read: true }]);
  });
});

describe('brewlake query, wide rows', () => {
  it('fits the table into the terminal (COLUMNS when piped), cutting wide JSON with …; json keeps every value whole', async () => {
    const sql = 'select id, name, hops, dq_flags, arrived_at from beers order by id limit 5';
    const table = await runBrewlake(['query', '--lake', lake, sql], { env: { COLUMNS: '100' } });
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines[2]).toMatch(/\[\{"name":.*…/);
    const json = await runBrewlake(['query', '--format', 'json', '--lake', lake, sql], { env: { COLUMNS: '100' } });
    const rows = JSON.parse(json.stdout) as { id: number; hops: unknown[] }[];
    expect(rows[0]?.hops).toEqual(catalogue.find((b) => b.id === rows[0]?.id) && expect.any(Array));
    expect(JSON.stringify(rows[0]?.hops).length).toBeGreaterThan(100);
  });

  it('every table of the lake, all its columns, fits 80 and 120 characters: middle columns hidden behind …, a footer says how many and how to see them', async () => {
    for (const table of ['raw', 'cleaned', 'beers', 'predictions', 'prediction_log']) {
      const columns = JSON.parse((await runBrewlake(['tables', table, '--format', 'json', '--lake', lake])).stdout) as unknown[];
      for (const width of [80, 120]) {
        const run = await runBrewlake(['query', '--lake', lake, `select * from ${table} limit 2`], { env: { COLUMNS: String(width) } });
        expect(run.code, run.stderr).toBe(0);
        const lines = run.stdout.trimEnd().split('\n');
        for (const line of lines) expect(line.length, `${table} at ${width}: ${line}`).toBeLessThanOrEqual(width);
        const footer = /^\((\d+) of (\d+) columns hidden: --format csv or --format json shows them all\)$/.exec(lines.at(-1)!);
        if ((table === 'cleaned' && width === 80) || table === 'raw') expect(footer, `${table} at ${width}`).not.toBeNull();
        if (footer) {
          expect(Number(footer[2])).toBe(columns.length);
          expect(lines[0]!.split(/ {2,}/)).toContain('…');
        }
      }
    }
  });
});
