import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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
