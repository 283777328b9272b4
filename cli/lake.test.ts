import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
        // drift's 1 means "drift found": every failure that is no verdict is 2, "cannot judge".
        expect(code, `${args[0]} --lake ${folder}: ${stderr}`).toBe(args[0] === 'drift' ? 2 : 1);
        expect(stdout).toBe('');
        expect(stderr.trim().split('\n')).toHaveLength(1);
        expect(stderr).toContain(`--lake ${join(parent, folder)}`);
        // demo cannot make a lake where a file is: the hint never suggests it there.
        if (folder === 'a-file') expect(stderr).not.toContain(`demo --once --lake ${join(parent, folder)}`);
        else expect(stderr).toContain(`npx brewlake demo --once --lake ${join(parent, folder)}`);
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

describe('a folder whose lake entries are not what their names say', () => {
  // Each read as an empty lake before: `query` answered 0, `tables` wrote a catalog into it.
  const broken: Readonly<Record<string, (dir: string) => Promise<void>>> = {
    'raw is a file': async (dir) => writeFile(join(dir, 'raw'), 'x'),
    'cleaned is a file beside a good raw folder': async (dir) => {
      await mkdir(join(dir, 'raw'));
      await writeFile(join(dir, 'cleaned'), '');
    },
    'the catalog is a folder': async (dir) => mkdir(join(dir, catalogFileName)),
    'the catalog holds garbage': async (dir) => writeFile(join(dir, catalogFileName), 'garbage, not a database at all'),
    'the catalog is empty': async (dir) => writeFile(join(dir, catalogFileName), ''),
  };
  const commands: readonly (readonly string[])[] = [['query', 'select count(*) from beers'], ['tables'], ['drift'], ['demo', '--once', '--ticks', '0']];

  for (const [name, make] of Object.entries(broken)) {
    it(`is refused, naming the entry, by every command that reads or makes the lake: ${name}`, async () => {
      const dir = join(parent, name.replaceAll(' ', '-'));
      await mkdir(dir);
      await make(dir);
      const before = (await readdir(dir)).sort();
      for (const args of commands) {
        const { code, stdout, stderr } = await runBrewlake([...args, '--lake', dir]);
        expect(code, `${args[0]}: ${stderr}`).toBe(args[0] === 'drift' ? 2 : 1);
        expect(stdout).toBe('');
        expect(stderr.trim().split('\n')).toHaveLength(1);
        expect(stderr).toMatch(new RegExp(`^brewlake: --lake ${dir} is not a readable lake: ${dir}/(raw|cleaned|${catalogFileName.replace('.', '\\.')}) is not a`));
      }
      expect((await readdir(dir)).sort()).toEqual(before);
    }, 60_000);
  }
});

describe('demo --lake', () => {
  it('refuses a file in one line naming --lake, and leaves the file as it was', async () => {
    const file = join(parent, 'demo-file');
    await writeFile(file, 'keep me');
    const { code, stdout, stderr } = await runBrewlake(['demo', '--once', '--ticks', '0', '--lake', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`brewlake: --lake ${file} is a file, not a folder: point --lake at a lake folder, or at a new folder for \`npx brewlake demo --once\` to make a lake in\n`);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  }, 30_000);
});

describe('a --registry to read that is no folder', () => {
  const readers: readonly (readonly string[])[] = [['models'], ['promote', 'v1'], ['score'], ['drift']];
  for (const args of readers) {
    it(`brewlake ${args[0]} refuses it, naming --registry`, async () => {
      const lake = join(parent, 'registry-lake');
      await mkdir(join(lake, 'cleaned'), { recursive: true });
      for (const [registry, why] of [[join(parent, 'nope'), 'does not exist'], [join(parent, 'a-file'), 'is not a folder']] as const) {
        const { code, stdout, stderr } = await runBrewlake([...args, '--lake', lake, '--registry', registry]);
        expect(code, stderr).toBe(args[0] === 'drift' ? 2 : 1);
        expect(stdout).toBe('');
        expect(stderr).toMatch(new RegExp(`^brewlake: --registry ${registry} ${why}: `));
      }
      await expect(stat(join(parent, 'nope'))).rejects.toThrow(/ENOENT/);
    }, 30_000);
  }

  it('models --registry with no --lake refuses it too (the lake is not read then)', async () => {
    const { code, stderr } = await runBrewlake(['models', '--lake', join(parent, 'nolake'), '--registry', join(parent, 'nope')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^brewlake: --registry \S+nope does not exist/);
  });
});

describe('drift: every failure that is not a verdict exits 2', () => {
  it.each([
    [['--window', 'soon'], /--window/],
    [['--psi-threshold', '-1'], /--psi-threshold/],
    [['--ks-threshold', 'x'], /--ks-threshold/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--window'], /argument missing/],
    [[], /no promoted model/],
  ])('drift %j', async (extra, message) => {
    const lake = join(parent, 'drift-lake');
    await mkdir(join(lake, 'cleaned'), { recursive: true });
    const { code, stderr } = await runBrewlake(['drift', '--lake', lake, ...extra]);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  }, 30_000);
});
