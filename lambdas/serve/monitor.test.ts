/**
 * The dashboard reads the lake's prediction_log, as `brewlake drift` does, and judges it the
 * same way. A real browser loads /monitor: one far-off beer is "not enough data", not a PSI;
 * the catalogue is no drift; the catalogue with abv doubled shows abv past its threshold,
 * with the very numbers the CLI prints for the same lake.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbLake, type DuckDbLakeEngine } from '../../glue/duckdb';
import { baseFeatureNames, predictionLogTable } from '../../glue/schema';
import { minDriftSample } from '../../model/drift';
import { localRegistryDir } from '../../model/open-registry';
import { createLocalRegistry } from '../../model/registry';
import { trainIbuModel } from '../../model/train';
import { trainingRowOf } from '../../model/training-data';
import { catalogue, cleanedRowOf, writeLakeFile } from '../../test/catalogue-lake';
import { launchChromium } from '../../test/headless-chromium';
import { createLakeMonitor, type LakeMonitor } from './monitor';
import { startServeServer, type ServeServer } from './node-server';
import { predictionLogLine } from './prediction-log';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const screenshotDir = join(root, 'test-results/monitor');
const beers = catalogue.map((b) => cleanedRowOf(b, new Date()));
// The API refuses an abv over 100 (the schema's physical range): shift only beers that stay valid.
const asked = (abvFactor: number) =>
  beers.filter((b) => (b.abv ?? 0) * abvFactor <= 100).map((b) => ({
    id: b.id,
    ...Object.fromEntries(baseFeatureNames.map((n) => [n, b[n]])),
    abv: b.abv === null ? null : b.abv * abvFactor,
    volume_litres: b.volume_litres,
    hops: b.hops.map(({ stage: _stage, ...h }) => h),
  }));

let lake: string;
let engine: DuckDbLakeEngine;
let monitor: LakeMonitor;
let server: ServeServer;
let browser: Browser;
const written: Promise<unknown>[] = [];

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'monitor-'));
  // A model as `brewlake train` makes it: its answers look like the IBUs it learned from.
  const registry = createLocalRegistry(localRegistryDir(lake));
  const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
  const artifact = trainIbuModel(labelled, { featureSet: 'hops' });
  await registry.save(artifact, { version: 'v1', featureSet: 'hops', trainedAt: '', engine: 'test', sql: '', rows: labelled.length, dataHash: '', params: artifact.params, codeVersion: 'test' });
  await registry.promote('v1');
  engine = await openDuckDbLake(lake);
  monitor = createLakeMonitor({ engine, registry });
  // Each request's rows land in the lake as the log's delivery writes them: one file of JSON lines.
  let n = 0;
  server = await startServeServer({
    port: 0,
    registry,
    monitor,
    predictionSink: (event) =>
      written.push(writeLakeFile(lake, predictionLogTable, event.beers.map((_, i) => JSON.parse(predictionLogLine(event, i))), { time: new Date(event.predicted_at), id: `r${n++}` })),
  });
  browser = await launchChromium();
  await mkdir(screenshotDir, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await engine?.close();
});

const send = async (body: unknown[]) => {
  for (let i = 0; i < body.length; i += 50) {
    const res = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.slice(i, i + 50)) });
    expect(res.status).toBe(200);
  }
  await Promise.all(written.splice(0));
};

async function openMonitor(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  await page.goto(`${server.url}/monitor`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const cli = () =>
  promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'drift', '--lake', lake, '--window', '60m', '--json'], { cwd: root }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );

describe('/monitor', () => {
  it('calls one far-off beer "not enough data", with no PSI, in the browser', async () => {
    await send([asked(3)[0]]);
    const snapshot = await monitor.snapshot();
    expect(snapshot.rows).toBe(1);
    expect(snapshot.verdict).toBe('not enough data');
    expect(snapshot.columns.find((c) => c.name === 'abv')).toMatchObject({ status: 'not enough data', psi: null, drifted: false });
    expect(snapshot.minutes.every((m) => Object.values(m.psi).every((p) => p === null))).toBe(true);
    const page = await openMonitor();
    expect(await page.locator('.badge[data-feature="abv"] .status').textContent()).toBe('not enough data');
    expect(await page.locator('.badge[data-feature="abv"]').textContent()).toMatch(/PSI — · KS —/);
    expect(await page.locator('#summary').textContent()).toMatch(new RegExp(`not enough data: fewer than ${minDriftSample}`));
    await page.close();
  });

  it('shows no drift for traffic like the training data', async () => {
    await send(asked(1));
    const snapshot = await monitor.snapshot();
    expect(snapshot.verdict).toBe('no drift');
    expect(snapshot.columns.filter((c) => c.drifted).map((c) => c.name)).toEqual([]);
  });

  it('judges the base fallback’s answers against its own: the catalogue sent twice without hop bills is no drift, in the browser', async () => {
    const hopless = asked(1).map(({ hops: _hops, ...beer }) => beer);
    await send(hopless);
    await send(hopless);
    const snapshot = await monitor.snapshot();
    expect(snapshot.columns.find((c) => c.name === 'predicted_ibu (base)')).toMatchObject({ n: 2 * hopless.length, status: 'ok', drifted: false });
    expect(snapshot.columns.find((c) => c.name === 'predicted_ibu (hops)')).toMatchObject({ status: 'ok', drifted: false });
    expect(snapshot.verdict).toBe('no drift');
    const page = await openMonitor();
    expect(await page.locator('.badge[data-feature="predicted_ibu (base)"] .status').textContent()).toBe('ok');
    expect(await page.locator('#summary').textContent()).toMatch(/· no drift$/);
    await page.close();
  });

  it('shows abv above its threshold in a real browser after a shift, with the numbers brewlake drift prints, and says what PSI and KS mean', async () => {
    await send(asked(2));
    await send(asked(2));
    const page = await openMonitor();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) foreign.push(r.url());
    });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('.badge[data-feature="abv"]').getAttribute('data-drifted')).toBe('true');
    expect(await page.locator('.badge[data-feature="abv"] .status').textContent()).toBe('DRIFT');
    expect(await page.locator('#summary').textContent()).toMatch(/DRIFT: .*abv/);
    for (const unmoved of ['target_og', 'ph']) expect(await page.locator(`.badge[data-feature="${unmoved}"]`).getAttribute('data-drifted')).toBe('false');
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(9);
    // Every drift chart explains PSI and KS in one line.
    const histogramCards = page.locator('#histograms .card');
    expect(await histogramCards.count()).toBeGreaterThanOrEqual(7);
    for (const caption of await page.locator('#histograms .card .meaning').allTextContents()) expect(caption).toMatch(/PSI: .* · KS: /);
    expect(await page.locator('[data-meaning="psi"]').textContent()).toMatch(/PSI: .*KS: /);
    expect(foreign).toEqual([]);

    // One computation: the page's numbers are the CLI's, for the same lake and window.
    const badge = (await page.locator('.badge[data-feature="abv"]').textContent())!;
    const fromCli = await cli();
    expect(fromCli.code).toBe(1);
    const report = JSON.parse(fromCli.stdout.trim().split('\n').at(-1)!) as { rows: number; features: { name: string; psi: number; ks: number; n: number }[] };
    const abv = report.features.find((f) => f.name === 'abv')!;
    expect(badge).toContain(`PSI ${abv.psi.toFixed(3)} · KS ${abv.ks.toFixed(3)} · n ${abv.n}`);
    const snapshot = await monitor.snapshot();
    expect(snapshot.rows).toBe(report.rows);
    const judged = [...report.features, ...(report as unknown as { predictions: typeof report.features }).predictions] as unknown as { name: string; psi: number; ks: number; status: string }[];
    expect(snapshot.columns.map((c) => [c.name, c.psi, c.ks, c.status])).toEqual(judged.map((c) => [c.name, c.psi, c.ks, c.status]));

    await page.screenshot({ path: join(screenshotDir, 'monitor-abv-doubled.png'), fullPage: true });
    await page.close();
  });
});

describe('/monitor when it cannot judge', () => {
  it('says so, as `brewlake drift` exits 2: no model, or a prediction log it cannot read', async () => {
    const other = await mkdtemp(join(tmpdir(), 'monitor-broken-'));
    const otherEngine = await openDuckDbLake(other);
    try {
      const noModel = await createLakeMonitor({ engine: otherEngine, registry: createLocalRegistry(localRegistryDir(other)) }).snapshot();
      expect(noModel).toMatchObject({ version: null, verdict: 'not enough data', columns: [] });
      expect(noModel.problem).toMatch(/no promoted model in .*brewlake train/);

      const registry = createLocalRegistry(localRegistryDir(lake));
      const broken = await writeLakeFile(other, predictionLogTable, [], { time: new Date(), id: 'broken' });
      await writeFile(broken, '{"request_id": "x", "item": \n');
      const unreadable = await createLakeMonitor({ engine: otherEngine, registry }).snapshot();
      expect(unreadable).toMatchObject({ version: 'v1', verdict: 'not enough data', columns: [] });
      expect(unreadable.problem).toMatch(/cannot read the prediction log/);
    } finally {
      await otherEngine.close();
    }
  });
});
