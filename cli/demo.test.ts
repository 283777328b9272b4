import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DemoSummary } from '../local/demo';
import { duckdbCli } from '../test/duckdb-cli';

let lakeDir: string;
beforeEach(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-cli-demo-'));
});
afterEach(async () => {
  await rm(lakeDir, { recursive: true, force: true });
});

/** `duckdb -readonly lake/brewlake.duckdb SQL` from the lake's parent, as docs/query.md says: the one value it prints, or the error. */
const duckdbValue = (sql: string) =>
  promisify(execFile)(duckdbCli, ['-readonly', '-csv', '-noheader', join(basename(lakeDir), 'brewlake.duckdb'), sql], { cwd: dirname(lakeDir) }).then(
    ({ stdout }) => stdout.trim(),
    (error: { stderr?: string }) => `error: ${error.stderr ?? String(error)}`,
  );

/** Asks DuckDB's CLI until it answers `expected` (the catalog is rebuilt a couple of seconds after a delivery), or gives its last answer. */
async function duckdbAnswers(sql: string, expected: string, withinMs = 30_000): Promise<string> {
  let answer = await duckdbValue(sql);
  for (const started = Date.now(); answer !== expected && Date.now() - started < withinMs; answer = await duckdbValue(sql)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return answer;
}

it('brewlake demo --once --json reconciles the whole catalogue through the real handlers', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'demo', '--once', '--json', '--lake', lakeDir, '--ticks', '3'], {
    cwd: join(import.meta.dirname, '..'),
    maxBuffer: 16 * 1024 * 1024,
  });
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as DemoSummary;
  expect(summary.distinctRaw).toBe(325);
  expect(summary.put).toBe(328);
  expect(summary.raw).toBe(summary.put);
  expect(summary.cleaned + summary.failed).toBe(summary.raw);
  expect(summary.dropped).toBe(0);
  expect(summary.beers).toBe(summary.distinctCleaned);
  expect(summary.ok).toBe(true);
  expect(stderr).toMatch(/backfill \d+\/325/);
  // Each delivered count is said once, the total too (both zones report every delivery, and draining reports again).
  const delivered = stderr.split('\n').filter((l) => l.startsWith('delivered '));
  expect(delivered.at(-1)).toBe('delivered 328/328');
  expect(new Set(delivered).size).toBe(delivered.length);
  // The lake opens in DuckDB's own CLI (installed into .venv by make tools), from the lake's parent.
  expect(await duckdbValue('select count(*) from beers')).toBe('325');
});

it('a live demo (no --once) keeps the catalog file current while it runs: DuckDB\'s CLI sees every beer before Ctrl-C', async () => {
  const child = spawn(process.execPath, ['bin/brewlake.mjs', 'demo', '--lake', lakeDir, '--ticks', '0'], { cwd: join(import.meta.dirname, '..') });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('ticking:')) resolve();
      });
      void exited.then((code) => reject(new Error(`exited ${code} before ticking:\n${stderr}`)));
    });
    expect(child.exitCode).toBeNull();
    expect(await duckdbAnswers('select count(*) from beers', '325')).toBe('325');
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
}, 120_000);

it('brewlake demo --once --serve ends with the lake’s beers through /predict, the dashboard up, and every prediction logged', async () => {
  const child = spawn(process.execPath, ['bin/brewlake.mjs', 'demo', '--once', '--serve', '0', '--lake', lakeDir, '--ticks', '0'], { cwd: join(import.meta.dirname, '..') });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const replayed = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /sent the lake's (\d+) beers through \/predict: see (http:\/\/127\.0\.0\.1:\d+)\/monitor/.exec(stderr);
      if (match) resolve(match);
    });
    void exited.then((code) => reject(new Error(`exited ${code} before serving:\n${stderr}`)));
  });
  const [, beers, url] = replayed;
  const monitor = await fetch(`${url}/monitor`);
  expect(monitor.status).toBe(200);
  expect(await monitor.text()).toMatch(/<canvas/);
  // While it serves, the catalog file follows the prediction log's deliveries: DuckDB's own CLI sees every logged prediction.
  expect(await duckdbAnswers('select count(*) from prediction_log', beers!)).toBe(beers);
  expect(child.exitCode).toBeNull();
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(Number(beers)).toBeGreaterThan(300);
  expect(stderr).toContain(`prediction log: ${beers} rows into ${lakeDir}/prediction_log/, 0 dropped`);
  // And after it stopped.
  expect(await duckdbValue('select count(*) from prediction_log')).toBe(beers);
}, 120_000);
