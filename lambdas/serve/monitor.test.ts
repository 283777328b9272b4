/**
 * The dashboard after a scripted shift: the catalogue's beers asked about with abv doubled.
 * A real browser loads /monitor; the page must show abv past its threshold, and nothing
 * else that did not move.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseFeatureNames } from '../../glue/schema';
import { createLocalRegistry } from '../../model/registry';
import { trainIbuModel } from '../../model/train';
import { trainingRowOf } from '../../model/training-data';
import { catalogue, cleanedRowOf } from '../../test/catalogue-lake';
import { launchChromium } from '../../test/headless-chromium';
import { createLiveWindow, type LiveWindow } from './monitor';
import { startServeServer, type ServeServer } from './node-server';

const screenshotDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-results/monitor');
const beers = catalogue.map((b) => cleanedRowOf(b, new Date()));
// The API refuses an abv over 100 (the schema's physical range): shift only beers that stay valid.
const asked = (abvFactor: number) =>
  beers.filter((b) => (b.abv ?? 0) * abvFactor <= 100).map((b) => ({
    ...Object.fromEntries(baseFeatureNames.map((n) => [n, b[n]])),
    abv: b.abv === null ? null : b.abv * abvFactor,
    volume_litres: b.volume_litres,
    hops: b.hops.map(({ stage: _stage, ...h }) => h),
  }));

let server: ServeServer;
let window: LiveWindow;
let browser: Browser;

beforeAll(async () => {
  // A model as `brewlake train` makes it: its answers look like the IBUs it learned from.
  const registry = createLocalRegistry(await mkdtemp(join(tmpdir(), 'monitor-')));
  const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
  const artifact = trainIbuModel(labelled, { featureSet: 'hops' });
  await registry.save(artifact, { version: 'v1', featureSet: 'hops', trainedAt: '', engine: 'test', sql: '', rows: labelled.length, dataHash: '', params: artifact.params, codeVersion: 'test' });
  await registry.promote('v1');
  window = createLiveWindow({ registry });
  server = await startServeServer({ port: 0, registry, monitor: window, predictionSink: (e) => window.record(e) });
  browser = await launchChromium();
  await mkdir(screenshotDir, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const send = async (body: unknown[]) => {
  for (let i = 0; i < body.length; i += 50) {
    const res = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.slice(i, i + 50)) });
    expect(res.status).toBe(200);
  }
};

describe('/monitor', () => {
  it('shows no drift for traffic like the training data', async () => {
    await send(asked(1));
    const snapshot = await window.snapshot();
    expect(snapshot.rows).toBe(asked(1).length);
    expect(snapshot.columns.filter((c) => c.drifted).map((c) => c.name)).toEqual([]);
  });

  it('shows abv above its threshold in a real browser after a shift, and saves a screenshot', async () => {
    await send(asked(2));
    await send(asked(2));
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) foreign.push(r.url());
    });
    await page.goto(`${server.url}/monitor`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('.badge[data-feature="abv"]').getAttribute('data-drifted')).toBe('true');
    await expect.poll(() => page.locator('.badge[data-feature="abv"] .status').textContent()).toBe('DRIFT');
    expect(await page.locator('#summary').textContent()).toMatch(/DRIFT: .*abv/);
    for (const unmoved of ['target_og', 'ph']) expect(await page.locator(`.badge[data-feature="${unmoved}"]`).getAttribute('data-drifted')).toBe('false');
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(9);
    expect(foreign).toEqual([]);
    await page.screenshot({ path: join(screenshotDir, 'monitor-abv-doubled.png'), fullPage: true });
    await page.close();
  });
});
