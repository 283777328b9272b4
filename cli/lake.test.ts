import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFileName } from '../glue/lake-folder';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { runBrewlake } from '../test/run-brewlake';

let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'brewlake-cli-lake-'));
  await mkdir(join(parent, 'empty'));
  await writeFile(join(parent, 'a-file'), 'not a folder');
  await mkdir(join(parent, 'unrelated', 'photos'), { recursive: true });
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('a --lake that is not a lake', () => {
  // Every command that reads the local lake, as a user would type it.
  const readers: readonly (readonly string[])[] = [
    ['query', 'select count(*) from beers'],
    ['tables'],
    ['train'],
    ['models'],
    ['promote', 'v1'],
    ['score'],
    ['drift'],
    ['serve', '--port', '0'],
  ];
  const notLakes = ['nolake', 'empty', 'a-file', 'unrelated'];

  for (const args of readers) {
    it(`brewlake ${args[0]} refuses it: names the folder, says how to make a lake, exits non-zero`, async () => {
      for (const folder of notLakes) {
        const { code, stdout, stderr } = await runBrewlake([...args, '--lake', join(parent, folder)]);
        expect(code, `${args[0]} --lake ${folder}: ${stderr}`).not.toBe(0);
        expect(stdout).toBe('');
        expect(stderr.trim().split('\n')).toHaveLength(1);
        expect(stderr).toContain(join(parent, folder));
        expect(stderr).toContain(`npx brewlake demo --once --lake ${join(parent, folder)}`);
      }
    }, 60_000);
  }

  it('from another directory, the default lake folder is refused the same way', async () => {
    const { code, stderr } = await runBrewlake(['query', 'select count(*) from beers'], { cwd: parent });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`${join(parent, 'lake')} does not exist: make a lake there`));
  });

  it('creates nothing in the folder it refuses', async () => {
    await runBrewlake(['score', '--lake', join(parent, 'nolake')]);
    await expect(stat(join(parent, 'nolake'))).rejects.toThrow(/ENOENT/);
  });
});

describe('a lake', () => {
  it('is answered, and a lake written before the catalog file existed gets one from the next command that changes it', async () => {
    const lake = join(parent, 'old-lake');
    await writeCatalogueLake(lake);
    const counted = await runBrewlake(['query', '--format', 'csv', '--lake', lake, 'select count(*) as n from beers']);
    expect(counted).toMatchObject({ code: 0, stdout: 'n\r\n325\r\n' });
    await expect(stat(join(lake, catalogFileName))).rejects.toThrow(/ENOENT/);
    const trained = await runBrewlake(['train', '--features', 'base', '--lake', lake]);
    expect(trained.code, trained.stderr).toBe(0);
    expect((await stat(join(lake, catalogFileName))).isFile()).toBe(true);
  }, 120_000);
});
