import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../test/run-brewlake';

// A copy of the sources, so that editing one cannot disturb the other tests' build.
let copy: string;
beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'brewlake-build-'));
  for (const entry of ['bin', 'cli', 'glue', 'lambdas', 'local', 'model', 'package.json', 'package-lock.json']) await cp(join(repoRoot, entry), join(copy, entry), { recursive: true });
  await symlink(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

const help = () => promisify(execFile)(process.execPath, [join(copy, 'bin', 'brewlake.mjs'), '--help'], { cwd: copy });
const builtAt = async () => (JSON.parse(await readFile(join(copy, 'dist', 'cli', 'inputs.json'), 'utf8')) as { builtAt: number }).builtAt;

it('bin/brewlake.mjs runs the esbuild build, builds it when missing, reuses it, and rebuilds it when a source changed', async () => {
  const first = await help();
  expect(first.stderr).toBe('');
  expect(first.stdout).toMatch(/tables \[options\] \[table\]\s+list the tables and views/);
  const built = await builtAt();

  await help();
  expect(await builtAt()).toBe(built);

  const tables = join(copy, 'cli', 'tables.ts');
  await writeFile(tables, (await readFile(tables, 'utf8')).replace("list the tables and views to query", 'EDITED description'));
  const edited = await help();
  expect(edited.stdout).toMatch(/tables \[options\] \[table\]\s+EDITED description/);
  expect(await builtAt()).toBeGreaterThan(built);
}, 120_000);

it('the build finds the saved queries it reads beside itself', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(copy, 'bin', 'brewlake.mjs'), 'query', '--list', '--format', 'csv'], { cwd: copy });
  expect(stdout).toMatch(/^strongest-beers,/m);
}, 60_000);

const run = (args: readonly string[]) => promisify(execFile)(process.execPath, [join(copy, 'bin', 'brewlake.mjs'), ...args], { cwd: copy });
const bundle = () => join(copy, 'dist', 'cli', 'brewlake.cjs');
const cacheFiles = async () => (await readdir(join(copy, 'dist', 'cli', 'code-cache')).catch(() => [] as string[])).sort();

it("keeps each command's compiled code beside the build, reuses it, and replaces a cache V8 rejects", async () => {
  await help();
  await rm(join(copy, 'dist', 'cli', 'code-cache'), { recursive: true, force: true });
  await run(['query', '--list']);
  const [queryCache, ...others] = await cacheFiles();
  expect(others).toEqual([]);
  expect(queryCache).toMatch(/^query-\d+\.bin$/);
  const cachePath = join(copy, 'dist', 'cli', 'code-cache', queryCache!);
  const written = (await stat(cachePath)).mtimeMs;

  // Reused: a second run of the same command finds its cache and leaves it as it was.
  const again = await run(['query', '--list', '--format', 'csv']);
  expect(again.stdout).toMatch(/^strongest-beers,/m);
  expect((await stat(cachePath)).mtimeMs).toBe(written);

  // A damaged cache (a crash while another process wrote it, a disk error) costs one slow start, never a wrong one.
  await writeFile(cachePath, Buffer.alloc(4096, 7));
  const damaged = await run(['query', '--list', '--format', 'csv']);
  expect(damaged.stdout).toMatch(/^strongest-beers,/m);
  expect(damaged.stderr).toBe('');
  expect((await readFile(cachePath)).equals(Buffer.alloc(4096, 7))).toBe(false);
}, 120_000);

it('never runs the cached code of an earlier bundle, even one of the same length', async () => {
  await help();
  await run(['--help']);
  expect((await cacheFiles()).filter((name) => name.startsWith('brewlake-'))).toHaveLength(1);
  // V8 checks only a cache's source length: a same-length edit must still be seen.
  const source = await readFile(bundle(), 'utf8');
  const edited = source.replace('A streaming data lake for the PunkAPI beer catalogue', 'A STREAMING DATA LAKE FOR THE PUNKAPI BEER CATALOGUE');
  expect(edited).not.toBe(source);
  expect(edited.length).toBe(source.length);
  await writeFile(bundle(), edited);
  const { stdout } = await run(['--help']);
  expect(stdout).toContain('A STREAMING DATA LAKE FOR THE PUNKAPI BEER CATALOGUE');
}, 120_000);

it('runs without a cache where none can be written, and leaves no half-written file', async () => {
  await help();
  const cacheDir = join(copy, 'dist', 'cli', 'code-cache');
  await rm(cacheDir, { recursive: true, force: true });
  // A file where the cache folder should be: every write of a cache fails.
  await writeFile(cacheDir, 'not a folder');
  try {
    const { stdout, stderr } = await run(['query', '--list', '--format', 'csv']);
    expect(stdout).toMatch(/^strongest-beers,/m);
    expect(stderr).toBe('');
    expect((await readdir(join(copy, 'dist', 'cli'))).filter((name) => name.includes('.bin'))).toEqual([]);
  } finally {
    await rm(cacheDir, { force: true });
  }
}, 60_000);
