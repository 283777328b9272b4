import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { roundIbu } from '../../model/ibu-precision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictInputs } from '../../model/artifact';
import { createLocalRegistry, type ModelRegistry } from '../../model/registry';
import { fixedToken } from './admin-token';
import { documentationRoutes } from './app';
import { startServeServer, type ServeServer } from './node-server';
import { cleanedCatalogue, labelledCatalogue, registryWithTwoVersions } from './registry-fixture.test-support';

const token = 'brew-s3cret';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
let server: ServeServer;
let registry: ModelRegistry;
let dir: string;
let versions: [string, string];
let now = 1_700_000_000_000;

beforeAll(async () => {
  ({ dir, registry, versions } = await registryWithTwoVersions());
  server = await startServeServer({ port: 0, registry, auth: { token: fixedToken(token) }, clock: () => now, reloadCheckEveryMs: 1000, limits: { minRetrainRows: 20 } });
});
afterAll(() => server?.close());

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const predictOne = async (beer: unknown) => (await (await fetch(`${server.url}/predict`, json(beer))).json()) as { model_version: string; predictions: { ibu: number }[] };
const features = (b: (typeof cleanedCatalogue)[number]) => ({ abv: b.abv, target_fg: b.target_fg, target_og: b.target_og, ebc: b.ebc, srm: b.srm, ph: b.ph, volume_litres: b.volume_litres, hops: b.hops.map(({ stage: _s, ...h }) => h) });

describe('the app over a local registry, on a real loopback server', () => {
  it('answers the promoted artifact\'s own predictions, by field name, for a whole batch', async () => {
    const beers = cleanedCatalogue.slice(0, 100).map(features);
    const res = await fetch(`${server.url}/predict`, json(beers));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_version: string; predictions: { ibu: number }[] };
    expect(body.model_version).toBe(versions[0]);
    // Rounded as every IBU that leaves brewlake is.
    const expected = Array.from(predictInputs(await registry.load(versions[0]), beers), roundIbu);
    expect(body.predictions.map((p) => p.ibu)).toEqual(expected);
  });

  it('lists the versions, newest first, with the promoted and loaded one', async () => {
    const list = (await (await fetch(`${server.url}/models`)).json()) as { promoted: string; loaded: string; versions: { version: string; promoted: boolean }[] };
    expect(list).toMatchObject({ promoted: versions[0], loaded: versions[0] });
    expect(list.versions.map((v) => v.version)).toEqual([versions[1], versions[0]]);
  });

  it('notices a promotion by another process (the CLI) without a restart', async () => {
    await createLocalRegistry(dir).promote(versions[1]);
    expect((await predictOne(features(cleanedCatalogue[0]!))).model_version).toBe(versions[0]);
    now += 1000;
    expect((await predictOne(features(cleanedCatalogue[0]!))).model_version).toBe(versions[1]);
    await createLocalRegistry(dir).promote(versions[0]);
    now += 1000;
    expect((await predictOne(features(cleanedCatalogue[0]!))).model_version).toBe(versions[0]);
  });

  describe('POST /retrain with a degenerate set: refused, nothing stored, nothing promoted', () => {
    const records = labelledCatalogue.slice(0, 40).map((b) => ({ ...features(b), ibu: b.ibu! }));
    const cases: [string, unknown, number, string][] = [
      ['a constant target', { records: records.map((r) => ({ ...r, ibu: 40 })) }, 422, 'DegenerateTrainingSet'],
      ['all-null features', { records: records.map((r) => ({ ...r, abv: null, target_fg: null, target_og: null, ebc: null, srm: null, ph: null })) }, 422, 'DegenerateTrainingSet'],
      ['3 rows', { records: records.slice(0, 3) }, 400, 'InvalidRequest'],
    ];
    for (const [what, body, status, name] of cases) {
      it(what, async () => {
        const before = await registry.list();
        const res = await fetch(`${server.url}/retrain`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
        expect(res.status).toBe(status);
        expect(((await res.json()) as { error: { name: string; issues: unknown[] } }).error).toMatchObject({ name });
        expect(await registry.list()).toEqual(before);
        expect(await registry.promotedVersion()).toBe(versions[0]);
      });
    }
  });

  it('retrains: stores the new version, compares it with the current one on the same held-out records, promotes only if not worse', async () => {
    const before = (await registry.list()).length;
    // A few records teach less than the whole catalogue did: the new version should lose.
    const records = labelledCatalogue.slice(0, 25).map((b) => ({ ...features(b), ibu: b.ibu! }));
    const res = await fetch(`${server.url}/retrain`, { method: 'POST', headers: auth, body: JSON.stringify({ records }) });
    expect(res.status).toBe(200);
    type Scored = { rows: number; candidate: { rmse: number }; current: { rmse: number } };
    const body = (await res.json()) as { version: string; promoted: boolean; previous_version: string; holdout: Scored; reference: Scored };
    expect(body.previous_version).toBe(versions[0]);
    expect(body.holdout.rows).toBe(5);
    expect(body.holdout.current).not.toBeNull();
    // Judged on the promoted version's reference sample too, rows the records did not bring.
    expect(body.reference.rows).toBe(100);
    expect(body.promoted).toBe(body.holdout.candidate.rmse <= body.holdout.current.rmse && body.reference.candidate.rmse <= body.reference.current.rmse);
    expect((await registry.list()).length).toBe(before + 1);
    expect(await registry.promotedVersion()).toBe(body.promoted ? body.version : versions[0]);

    const forced = await fetch(`${server.url}/retrain`, { method: 'POST', headers: auth, body: JSON.stringify({ records, force: true }) });
    const forcedBody = (await forced.json()) as { version: string; promoted: boolean };
    expect(forcedBody.promoted).toBe(true);
    expect((await predictOne(features(cleanedCatalogue[0]!))).model_version).toBe(forcedBody.version);
    // The previous version stays available: roll back.
    const back = await fetch(`${server.url}/models/${versions[0]}/promote`, { method: 'POST', headers: auth });
    expect(back.status).toBe(200);
    expect((await predictOne(features(cleanedCatalogue[0]!))).model_version).toBe(versions[0]);
  });

  it('answers 404 to promoting a version that does not exist, and leaves the pointer', async () => {
    const res = await fetch(`${server.url}/models/20990101T000000Z-nope00/promote`, { method: 'POST', headers: auth });
    expect(res.status).toBe(404);
    expect(await registry.promotedVersion()).toBe(versions[0]);
  });
});

describe('the OpenAPI document', () => {
  type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>; components: { schemas: Record<string, { properties?: Record<string, { description?: string; minimum?: number; maximum?: number }>; required?: string[] }> } };
  let doc: Doc;
  beforeAll(async () => {
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
  });

  it('is OpenAPI 3.x with info, paths and operations that each answer something', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).not.toBe('');
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, operation] of Object.entries(operations)) {
        expect(['get', 'post', 'put', 'delete', 'patch']).toContain(method);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      }
    }
    // Every $ref points at a component that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(doc.components.schemas[ref], ref).toBeDefined();
  });

  it('has exactly the app\'s API routes: every documented path is routed, every route documented', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const routed = server.app.routes
      .filter((r) => r.method !== 'ALL' && !(documentationRoutes as readonly string[]).includes(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(routed)].sort()).toEqual(documented.sort());
    expect(documented.sort()).toEqual(['GET /health', 'GET /metrics', 'GET /models', 'GET /ready', 'POST /models/{version}/promote', 'POST /predict', 'POST /retrain']);
  });

  it('describes the beer from glue/schema.ts: every base feature required, with its comment and range', () => {
    const beer = doc.components.schemas.Beer!;
    expect(beer.required?.sort()).toEqual(['abv', 'ebc', 'ph', 'srm', 'target_fg', 'target_og']);
    expect(beer.properties?.ph).toMatchObject({ minimum: 0, maximum: 14 });
    expect(beer.properties?.abv?.description).toMatch(/alcohol by volume/);
    expect(Object.keys(beer.properties ?? {})).toEqual(expect.arrayContaining(['volume_litres', 'hops']));
  });
});

describe('a broken promotion pointer, on a real loopback server', () => {
  it.each([
    ['empty', ''],
    ['truncated', '{"version":"2025'],
    ['garbage', '\u0000\u00ff not json'],
    ['pointing at a missing version', '{"version":"20990101T000000Z-gone00","promotedAt":"x"}'],
  ])('(%s): /models lists, /ready and /predict name the file, and the rollback repairs it', async (_, text) => {
    const fixture = await registryWithTwoVersions();
    const pointer = join(fixture.dir, 'PROMOTED');
    await writeFile(pointer, text);
    let clock = 0;
    const app = await startServeServer({ port: 0, registry: fixture.registry, auth: { token: fixedToken(token) }, clock: () => clock, reloadCheckEveryMs: 1000 });
    try {
      const models = await fetch(`${app.url}/models`);
      expect(models.status).toBe(200);
      const list = (await models.json()) as { promoted: string | null; pointer_error?: string; versions: unknown[] };
      expect(list.versions).toHaveLength(2);
      expect(list.promoted).toBeNull();
      if (!text.includes('gone')) expect(list.pointer_error).toContain(pointer);

      const ready = await fetch(`${app.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toContain(pointer);
      const predict = await fetch(`${app.url}/predict`, json(features(cleanedCatalogue[0]!)));
      expect(predict.status).toBe(503);
      expect(((await predict.json()) as { error: { message: string } }).error.message).toContain(pointer);

      const rollback = await fetch(`${app.url}/models/${fixture.versions[1]}/promote`, { method: 'POST', headers: auth });
      expect(rollback.status).toBe(200);
      expect(await rollback.json()).toMatchObject({ promoted: fixture.versions[1], previous_version: text.includes('gone') ? '20990101T000000Z-gone00' : null });
      const answer = (await (await fetch(`${app.url}/predict`, json(features(cleanedCatalogue[0]!)))).json()) as { model_version: string };
      expect(answer.model_version).toBe(fixture.versions[1]);
    } finally {
      await app.close();
    }
  });
});
