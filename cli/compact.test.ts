import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayFolder, hourFolder } from '../glue/layout';
import { cleanedBeerTable } from '../glue/schema';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { runBrewlake } from '../test/run-brewlake';

let lake: string;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-cli-compact-'));
  await writeCatalogueLake(lake, { redelivered: 5 });
});
afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe('brewlake compact', () => {
  it('refuses a --before that is not a time, an hour not yet closed, or the raw zone, naming the option, and changes nothing', { timeout: 60_000 }, async () => {
    const folder = join(lake, cleanedBeerTable.prefix, hourFolder(new Date('2024-06-01T12:00:00Z')));
    const before = (await readdir(folder)).sort();
    for (const [value, message] of [
      ['yesterday', /--before.*expected an ISO time/],
      ['2999-01-01T00:00:00Z', /--before: .* not closed yet/],
    ] as const) {
      const { code, stderr } = await runBrewlake(['compact', '--lake', lake, '--before', value]);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(message);
    }
    // raw keeps records as collected: no --zone names it.
    {
      const { code, stderr } = await runBrewlake(['compact', '--lake', lake, '--zone', 'raw']);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/--zone.*'raw' is invalid/);
    }
    expect((await readdir(folder)).sort()).toEqual(before);
  });

  it('compacts the closed days of a zone, prints what it did, and the lake answers the same', { timeout: 60_000 }, async () => {
    const count = async () => JSON.parse((await runBrewlake(['query', 'select count(*) as n, (select count(*) from beers) as beers from cleaned', '--format', 'json', '--lake', lake])).stdout) as unknown;
    const expected = await count();
    const { code, stdout } = await runBrewlake(['compact', '--lake', lake, '--zone', 'cleaned']);
    expect(code).toBe(0);
    // Its one day ended long ago: the whole day becomes one file, and its hour folder goes.
    expect(stdout).toMatch(/^cleaned: 1 day, 0 hours compacted \(330 rows, .*\), 6 files removed$/m);
    expect(await readdir(join(lake, cleanedBeerTable.prefix, dayFolder(new Date('2024-06-01T12:00:00Z'))))).toEqual(['compacted-2024-06-01.parquet']);
    expect(await count()).toEqual(expected);
  });
});
