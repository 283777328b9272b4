import { execFileSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLambda } from '../../stacks/lambda-bundle';
import { functionUrlEvent } from './function-url-event.test-support';
import { serveLambdaEnv } from '../../stacks/lambda-environment';
import { cleanedCatalogue, registryWithTwoVersions } from './registry-fixture.test-support';

const here = dirname(fileURLToPath(import.meta.url));
// Inside the repo, so the bundle finds the AWS SDK in node_modules as the runtime provides it.
const outRoot = resolve(here, '../../test-results/serve-lambda');
const outDir = join(outRoot, 'serve');
const bundlePath = join(outDir, 'index.mjs');

describe('the serving Lambda bundle', () => {
  let zippedBytes = 0;
  let handler: (event: LambdaFunctionURLEvent) => Promise<APIGatewayProxyResultV2>;
  let version: string;

  beforeAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    // The very bundle the model stack deploys.
    bundleLambda('serve', outRoot);
    execFileSync('zip', ['-q', '-9', '-j', join(outDir, 'serve.zip'), bundlePath]);
    zippedBytes = (await stat(join(outDir, 'serve.zip'))).size;

    const fixture = await registryWithTwoVersions();
    version = fixture.versions[0];
    process.env[serveLambdaEnv.modelsDir] = fixture.dir;
    handler = ((await import(pathToFileURL(bundlePath).href)) as { handler: typeof handler }).handler;
  });
  afterAll(() => {
    delete process.env[serveLambdaEnv.modelsDir];
  });

  it('zips to at most 500 KB', () => {
    expect(zippedBytes).toBeGreaterThan(0);
    expect(zippedBytes).toBeLessThanOrEqual(500 * 1024);
  });

  it('answers a function-URL event for POST /predict from the bundle file alone', async () => {
    const { id: _i, name: _n, hops, ...rest } = cleanedCatalogue[0]!;
    const res = (await handler(functionUrlEvent('POST', '/predict', [{ ...rest, hops: hops.map(({ stage: _s, ...h }) => h) }]))) as { statusCode: number; body: string; headers: Record<string, string> };
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { model_version: string; predictions: { ibu: number }[] };
    expect(body.model_version).toBe(version);
    expect(body.predictions).toHaveLength(1);
    expect(Number.isFinite(body.predictions[0]!.ibu)).toBe(true);
  });

  it('answers bad input and admin routes as the Node server does', async () => {
    const bad = (await handler(functionUrlEvent('POST', '/predict', { abv: 'x' }))) as { statusCode: number; body: string };
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.issues.map((i: { path: string }) => i.path)).toContain('abv');
    // No SSM parameter configured: admin routes are closed.
    const promote = (await handler(functionUrlEvent('POST', `/models/${version}/promote`, undefined, { authorization: 'Bearer x' }))) as { statusCode: number };
    expect(promote.statusCode).toBe(403);
    const health = (await handler(functionUrlEvent('GET', '/health'))) as { statusCode: number };
    expect(health.statusCode).toBe(200);
  });
});
