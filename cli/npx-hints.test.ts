import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLoaders } from './commands';
import { repoRoot, runBrewlake } from '../test/run-brewlake';

// After `npm ci` the command is not on PATH: every hint and every doc says `npx brewlake`.
const bare = new RegExp(`(?<!npx )(?<![\\w/.-])brewlake (${Object.keys(commandLoaders).join('|')})\\b`);

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)));
}

it('no message, help text or doc tells the user to run a bare `brewlake COMMAND`', () => {
  const sources = ['cli', 'glue', 'lambdas', 'local', 'model', 'stacks'].flatMap((d) => files(d, (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')));
  const docs = ['README.md', ...files('docs', (n) => n.endsWith('.md'))];
  const offending: string[] = [];
  for (const file of [...sources, ...docs]) {
    readFileSync(join(repoRoot, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Comments name the command for the reader of the code; only what users read counts.
        if (file.endsWith('.ts') && /^\s*(\*|\/\/|\/\*)/.test(line)) return;
        if (bare.test(line)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offending).toEqual([]);
  expect(sources.length).toBeGreaterThan(50);
});

describe('the printed help of every command', () => {
  const names = Object.keys(commandLoaders);

  it('the top-level help reads `npx brewlake`', async () => {
    const { code, stdout } = await runBrewlake(['--help']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('Usage: npx brewlake [options] [command]');
    expect(stdout).not.toMatch(bare);
  });

  for (const name of names) {
    it(`${name} --help and help ${name} say \`Usage: npx brewlake ${name}\`, and no bare \`brewlake COMMAND\``, async () => {
      for (const args of [[name, '--help'], ['help', name]]) {
        const { code, stdout } = await runBrewlake(args);
        expect(code, args.join(' ')).toBe(0);
        expect(stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: npx brewlake ${name}( |$)`));
        expect(stdout.split('\n').filter((line) => bare.test(line))).toEqual([]);
      }
    });
  }
});

describe('a hint names the lake it was given', () => {
  let lake: string;
  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'hint-lake-'));
    await mkdir(join(lake, 'cleaned'));
  });
  afterAll(() => rm(lake, { recursive: true, force: true }));

  it.each([
    [['models'], 'no model versions yet: run `npx brewlake train --lake LAKE`'],
    [['score'], 'run `npx brewlake train --lake LAKE` first'],
    [['drift'], 'run `npx brewlake train --lake LAKE` first'],
    [['serve', '--port', '0'], 'then run `npx brewlake serve --lake LAKE` again'],
  ])('%j on a lake with no model', async (args, hint) => {
    const { stderr } = await runBrewlake([...args, '--lake', lake], { timeoutMs: 60_000 });
    expect(stderr).toContain(hint.replace('LAKE', lake));
  }, 60_000);

  it('and the --registry it was given', async () => {
    const registry = join(lake, 'elsewhere');
    await mkdir(registry, { recursive: true });
    const { stderr } = await runBrewlake(['models', '--lake', lake, '--registry', registry]);
    expect(stderr).toContain(`run \`npx brewlake train --lake ${lake} --registry ${registry}\``);
  });

  it('but not the default lake, which needs no naming', async () => {
    const { stderr } = await runBrewlake(['models', '--registry', lake]);
    expect(stderr).toContain(`run \`npx brewlake train --registry ${lake}\``);
  });
});
