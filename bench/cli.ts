/**
 * The command line's start-up, from the build (bin/brewlake.mjs → dist/cli/): `--help`
 * against Node starting and doing nothing (`node -e 0`), and a query on a lake holding the
 * catalogue against DuckDB's own CLI opening the lake's catalog file and running the same
 * query. The commands are timed in turn, seven times; the medians are compared.
 *
 * DuckDB's CLI is measured twice, as what each is: the `duckdb` command PyPI installs (a
 * Python launcher that starts the binary, what `.venv/bin/duckdb` runs and the target is
 * set against), and the binary alone, which starts in less time than Node does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { catalogFileName } from '../glue/lake-folder';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { fmt, type Bench } from './table';

const repoRoot = join(import.meta.dirname, '..');
const brewlake = join(repoRoot, 'bin', 'brewlake.mjs');
const duckdbCli = join(repoRoot, '.venv', 'bin', 'duckdb');

/** The binary PyPI's duckdb-cli ships, which its launcher starts: `.venv/lib/python3.X/site-packages/duckdb_cli/duckdb`. */
function duckdbBinary(): string {
  const lib = join(repoRoot, '.venv', 'lib');
  for (const python of readdirSync(lib)) {
    const binary = join(lib, python, 'site-packages', 'duckdb_cli', 'duckdb');
    if (existsSync(binary)) return binary;
  }
  throw new Error(`no duckdb_cli/duckdb under ${lib}: run make tools`);
}
const runs = 7;
const targetRatio = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time of one run of the command, which must succeed. */
function timed(command: string, args: readonly string[], cwd: string): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Times `measured` and each reference in turn, `runs` times; the medians, in milliseconds. */
function medians<const C extends readonly (() => number)[]>(commands: C): { [K in keyof C]: number } {
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) commands.forEach((command, c) => times[c]!.push(command()));
  return times.map(median) as { [K in keyof C]: number };
}

export const cliBench: Bench = {
  title: 'cli',
  async run() {
    execFileSync(process.execPath, [join(repoRoot, 'bin', 'build-cli.mjs')], { stdio: 'ignore' });
    const parent = mkdtempSync(join(tmpdir(), 'brewlake-bench-cli-'));
    const lake = join(parent, 'lake');
    try {
      mkdirSync(lake);
      await writeCatalogueLake(lake);
      await buildLakeCatalog(lake);
      const sql = 'select count(*) from beers';
      const [help, nodeStart] = medians([() => timed(process.execPath, [brewlake, '--help'], parent), () => timed(process.execPath, ['-e', '0'], parent)]);
      const catalog = join('lake', catalogFileName);
      const binaryPath = duckdbBinary();
      const [query, launcher, binary] = medians([
        () => timed(process.execPath, [brewlake, 'query', '--lake', lake, sql], parent),
        () => timed(duckdbCli, [catalog, sql], parent),
        () => timed(binaryPath, [catalog, sql], parent),
      ]);
      const queryRow = `bin/brewlake.mjs query "${sql}" (325 beers)`;
      return [
        { name: 'bin/brewlake.mjs --help', value: fmt.ms(help), reference: `node -e 0 ${fmt.ms(nodeStart)}`, target: `<= ${targetRatio}x`, pass: (ratio) => ratio <= targetRatio },
        { name: queryRow, value: fmt.ms(query), reference: `duckdb (PyPI launcher + binary) ${fmt.ms(launcher)}`, target: `<= ${targetRatio}x`, pass: (ratio) => ratio <= targetRatio },
        { name: `${queryRow}, against the binary`, value: fmt.ms(query), reference: `duckdb binary alone ${fmt.ms(binary)}`, target: 'reported', pass: true },
        { name: 'node -e 0, against the duckdb binary (the floor of any Node CLI)', value: fmt.ms(nodeStart), reference: `duckdb binary alone ${fmt.ms(binary)}`, target: 'reported', pass: true },
      ];
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  },
};
