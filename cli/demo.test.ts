import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  expect(stderr).toMatch(/delivered 328\/328/);
});
