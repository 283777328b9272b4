import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/headless-chromium';
import { fixedToken } from './admin-token';
import { startServeServer, type ServeServer } from './node-server';
import { registryWithTwoVersions } from './registry-fixture.test-support';

const screenshotDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-results/serve-docs');
const screenshotPath = join(screenshotDir, 'docs-predict.png');

let server: ServeServer;
let browser: Browser;

beforeAll(async () => {
  const { registry } = await registryWithTwoVersions();
  server = await startServeServer({ port: 0, registry, auth: { token: fixedToken('t') } });
  browser = await launchChromium();
  await mkdir(screenshotDir, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('/docs in a real browser', () => {
  it('renders Swagger UI from the app alone, and sends a prediction with "Try it out" → Execute', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) foreign.push(request.url());
    });

    await page.goto(`${server.url}/docs`);
    const operation = page.locator('.opblock-post').filter({ hasText: '/predict' }).first();
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    // The body is pre-filled with the schema's example beer.
    await expect.poll(() => operation.locator('textarea.body-param__text').inputValue()).toContain('"abv"');
    await operation.getByRole('button', { name: 'Execute' }).click();

    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.innerText()).trim()).toBe('200');
    const body = await operation.locator('.live-responses-table .response-col_description .microlight').first().innerText();
    const answer = JSON.parse(body) as { model_version: string; predictions: { ibu: number }[] };
    expect(answer.predictions).toHaveLength(1);
    expect(Number.isFinite(answer.predictions[0]!.ibu)).toBe(true);

    await operation.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath, fullPage: false });
    expect(foreign).toEqual([]);
  });
});
