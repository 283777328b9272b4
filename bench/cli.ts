/**
 * The command line's start-up, from the build (bin/brewlake.mjs → dist/cli/): `--help`
 * against Node starting and doing nothing (`node -e 0`), and a query on a lake holding the
 * catalogue against DuckDB's own CLI opening the lake's catalog file and running the same
 * query. Each pair is timed alternately, seven times; the medians are compared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { catalogFileName } from '../glue/lake-folder';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { fmt, type Bench, type BenchRow } from './table';

const repoRoot = join(import.meta.dirname, '..');
const brewlake = join(repoRoot, 'bin', 'brewlake.mjs');
const duckdbCli = join(repoRoot, '.venv', 'bin', 'duckdb');
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

function pair(name: string, measured: () => number, referenceName: string, reference: () => number): BenchRow {
  const values: number[] = [];
  const references: number[] = [];
  for (let i = 0; i < runs; i++) {
    values.push(measured());
    references.push(reference());
  }
  const value = median(values);
  const ref = median(references);
  return { name, value: fmt.ms(value), reference: `${referenceName} ${fmt.ms(ref)}`, ratio: fmt.ratio(value / ref), target: `<= ${targetRatio}x`, pass: value / ref <= targetRatio };
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
      return [
        pair('bin/brewlake.mjs --help', () => timed(process.execPath, [brewlake, '--help'], parent), 'node -e 0', () => timed(process.execPath, ['-e', '0'], parent)),
        pair(
          `bin/brewlake.mjs query "${sql}" (325 beers)`,
          () => timed(process.execPath, [brewlake, 'query', '--lake', lake, sql], parent),
          'duckdb CLI',
          () => timed(duckdbCli, [join('lake', catalogFileName), sql], parent),
        ),
      ];
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  },
};
