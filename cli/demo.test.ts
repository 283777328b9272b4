import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DemoSummary } from '../local/demo';

let lakeDir: string;
beforeEach(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-cli-demo-'));
});
afterEach(async () => {
  await rm(lakeDir, { recursive: true, force: true });
});

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
  const duckdb = join(import.meta.dirname, '..', '.venv', 'bin', 'duckdb');
  const counted = await promisify(execFile)(duckdb, ['-csv', '-noheader', join(basename(lakeDir), 'brewlake.duckdb'), 'select count(*) from beers'], { cwd: dirname(lakeDir) });
  expect(counted.stdout.trim()).toBe('325');
});

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
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(Number(beers)).toBeGreaterThan(300);
  expect(stderr).toContain(`prediction log: ${beers} rows into ${lakeDir}/prediction_log/, 0 dropped`);
  // Serving changed the lake: its catalog file, rebuilt on the way out, holds the logged predictions.
  const duckdb = join(import.meta.dirname, '..', '.venv', 'bin', 'duckdb');
  const logged = await promisify(execFile)(duckdb, ['-csv', '-noheader', join(basename(lakeDir), 'brewlake.duckdb'), 'select count(*) from prediction_log'], { cwd: dirname(lakeDir) });
  expect(logged.stdout.trim()).toBe(beers);
}, 120_000);
