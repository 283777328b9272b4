import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseFeatureNames } from '../../glue/schema';
import { fixedToken } from './admin-token';
import { createServeAppWithBackend, type ServeAppOptions } from './app';
import { exampleBeer } from './beer-request-schema';
import { createInMemoryBackend, type SlopeModel } from './in-memory-backend.test-support';

const token = 'brew-s3cret';

function makeApp(overrides: Partial<ServeAppOptions<SlopeModel>> = {}, store = createInMemoryBackend()) {
  const app = createServeAppWithBackend({ backend: store.backend, auth: { token: fixedToken(token) }, limits: { maxBatchSize: 5, maxBodyBytes: 4096, minRetrainRows: 3 }, ...overrides });
  return { app, store };
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const beer = (overrides: Record<string, unknown> = {}) => ({ ...exampleBeer, ...overrides });

type ErrorJson = { error: { name: string; message: string; issues?: { path: string; reason: string }[] }; request_id: string };

async function expectRefused(res: Response, status: number, name: string, paths: string[]) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as ErrorJson;
  expect(body.error.name).toBe(name);
  expect(body.request_id).not.toBe('');
  expect(body.error.issues?.map((i) => i.path).sort()).toEqual([...paths].sort());
  for (const issue of body.error.issues ?? []) expect(issue.reason).not.toBe('');
  return body;
}

describe('POST /predict', () => {
  it('answers one beer with one prediction and the model version', async () => {
    const { app } = makeApp();
    const res = await app.request('/predict', post(beer({ abv: 5 })));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_version: string; request_id: string; predictions: { ibu: number }[] };
    expect(body).toMatchObject({ model_version: 'v1', predictions: [{ ibu: 50 }] });
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
  });

  it('answers a list in the same length and order, whatever the field order', async () => {
    const { app } = makeApp();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 5 }), async (abvs) => {
        const beers = abvs.map((abv) => Object.fromEntries(Object.entries(beer({ abv })).reverse()));
        const res = await app.request('/predict', post(beers));
        expect(res.status).toBe(200);
        const body = (await res.json()) as { predictions: { ibu: number }[] };
        expect(body.predictions.map((p) => p.ibu)).toEqual(abvs.map((abv) => abv * 10));
      }),
      { numRuns: 30 },
    );
  });

  it('takes null for an unknown base feature, and no hop bill or volume', async () => {
    const { app } = makeApp();
    const { hops: _h, volume_litres: _v, ...bare } = beer({ ph: null, srm: null });
    expect((await app.request('/predict', post(bare))).status).toBe(200);
  });

  it('ignores fields it does not know, so a cleaned record can be sent as it is', async () => {
    const { app } = makeApp();
    expect((await app.request('/predict', post(beer({ id: 1, name: 'Buzz', dq_flags: [] })))).status).toBe(200);
  });

  const badBodies: [string, unknown, string[]][] = [
    ['a missing base feature', (() => { const { abv: _a, ...b } = beer(); return b; })(), ['abv']],
    ['a number sent as a string', beer({ abv: '5.6' }), ['abv']],
    ['the string "NaN"', beer({ ph: 'NaN' }), ['ph']],
    ['the string "Infinity"', beer({ ebc: 'Infinity' }), ['ebc']],
    ['a value above the physical range', beer({ ph: 79 }), ['ph']],
    ['a value below the physical range', beer({ abv: -1 }), ['abv']],
    ['a mistyped hop addition', beer({ hops: [{ name: 'Simcoe', grams: 'lots', add: 'start', attribute: 'bitter' }] }), ['hops[0].grams']],
    ['hops that are not a list', beer({ hops: 'Simcoe' }), ['hops']],
    ['a negative volume', beer({ volume_litres: -20 }), ['volume_litres']],
    ['every problem in a list at once', [beer({ abv: 'x' }), beer(), beer({ ph: 15, srm: null, target_og: true })], ['[0].abv', '[2].ph', '[2].target_og']],
    ['an empty list', [], ['']],
    ['a list over the maximum batch size', Array.from({ length: 6 }, () => beer()), ['']],
    ['a string body', 'just a string', ['']],
    ['a number body', 42, ['']],
    ['null', null, ['']],
  ];
  for (const [what, body, paths] of badBodies) {
    it(`refuses ${what} with 400 naming ${paths.join(', ') || 'the body'}; the model is not called`, async () => {
      const { app, store } = makeApp();
      const res = await app.request('/predict', post(JSON.stringify(body)));
      await expectRefused(res, 400, 'InvalidRequest', paths);
      expect(store.calls.predict).toBe(0);
    });
  }

  it('refuses a number too large for a double (1e400 parses as Infinity)', async () => {
    const { app, store } = makeApp();
    const text = JSON.stringify(beer()).replace(/"abv":[^,]+/, '"abv":1e400');
    await expectRefused(await app.request('/predict', post(text)), 400, 'InvalidRequest', ['abv']);
    expect(store.calls.predict).toBe(0);
  });

  it('names the field and the reason for every single base feature broken, for any breakage', async () => {
    const { app, store } = makeApp();
    const breakage = fc.oneof(fc.constant(undefined), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1', '', true, [], {}), fc.double({ min: 1e4, max: 1e300, noNaN: true }), fc.double({ min: -1e300, max: -1e-3, noNaN: true }));
    await fc.assert(
      fc.asyncProperty(fc.subarray([...baseFeatureNames], { minLength: 1 }), breakage, async (broken, value) => {
        const body: Record<string, unknown> = beer();
        for (const name of broken) {
          if (value === undefined) delete body[name];
          else body[name] = value;
        }
        await expectRefused(await app.request('/predict', post(body)), 400, 'InvalidRequest', broken);
      }),
      { numRuns: 60 },
    );
    expect(store.calls.predict).toBe(0);
  });

  it('refuses malformed JSON with 400', async () => {
    const { app, store } = makeApp();
    await expectRefused(await app.request('/predict', post('{"abv": 5,')), 400, 'MalformedJson', ['']);
    expect(store.calls.predict).toBe(0);
  });

  it('refuses a wrong or missing content type with 415', async () => {
    const { app, store } = makeApp();
    await expectRefused(await app.request('/predict', post(beer(), { 'content-type': 'text/plain' })), 415, 'UnsupportedMediaType', ['Content-Type']);
    await expectRefused(await app.request('/predict', { method: 'POST', body: JSON.stringify(beer()) }), 415, 'UnsupportedMediaType', ['Content-Type']);
    expect(store.calls.predict).toBe(0);
  });

  it('refuses a body over the limit by its Content-Length, and by its bytes when the length is not declared', async () => {
    const { app, store } = makeApp();
    const big = JSON.stringify(Array.from({ length: 5 }, () => beer({ padding: 'x'.repeat(1000) })));
    await expectRefused(await app.request('/predict', post(big, { 'content-length': String(big.length) })), 413, 'PayloadTooLarge', ['Content-Length']);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await app.request('/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    await expectRefused(res, 413, 'PayloadTooLarge', ['']);
    // A Content-Length that lies low does not help either.
    const lying = await app.request('/predict', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '10' }, body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } }), duplex: 'half' } as RequestInit);
    expect(lying.status).toBe(413);
    expect(store.calls.predict).toBe(0);
  });

  it('is open by default, and needs the token when the setting asks', async () => {
    const { app } = makeApp({ limits: { requireTokenForPredict: true, maxBatchSize: 5, maxBodyBytes: 4096, minRetrainRows: 3 } });
    expect((await app.request('/predict', post(beer()))).status).toBe(401);
    expect((await app.request('/predict', post(beer(), { authorization: 'Bearer nope' }))).status).toBe(403);
    expect((await app.request('/predict', post(beer(), { authorization: `Bearer ${token}` }))).status).toBe(200);
  });

  it('answers 503 until a model is promoted', async () => {
    const { app, store } = makeApp({}, createInMemoryBackend({ v1: 1 }, null));
    await expectRefused(await app.request('/predict', post(beer())), 503, 'NoModelLoaded', []).catch(async () => undefined);
    expect((await app.request('/ready')).status).toBe(503);
    expect(store.calls.predict).toBe(0);
  });
});

describe('admin routes and the token', () => {
  const records = Array.from({ length: 3 }, (_, i) => ({ ...beer({ abv: i + 4 }), ibu: 30 + i }));

  it('answers 401 without a token (with WWW-Authenticate), 403 with a wrong one, and changes nothing', async () => {
    const { app, store } = makeApp();
    const none = await app.request('/retrain', post({ records }));
    await expectRefused(none, 401, 'MissingToken', []).catch(() => undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await app.request('/retrain', post({ records }, { authorization: 'Bearer wrong' }))).status).toBe(403);
    expect((await app.request('/models/v1/promote', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/models/v1/promote', { method: 'POST', headers: { 'x-admin-token': 'wrong' } })).status).toBe(403);
    expect(store.calls).toEqual({ predict: 0, retrain: 0, promote: 0 });
  });

  it('answers 403 to every token when none is configured', async () => {
    const { app, store } = makeApp({ auth: { token: fixedToken(undefined) } });
    const res = await app.request('/models/v1/promote', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorJson).error.name).toBe('TokenNotConfigured');
    expect(store.calls.promote).toBe(0);
  });

  it('refuses /retrain and promote while the configured token is the placeholder change-me, even to a caller who sends it', async () => {
    const { app, store } = makeApp({ auth: { token: fixedToken('change-me') } });
    const promote = await app.request('/models/v1/promote', { method: 'POST', headers: { authorization: 'Bearer change-me' } });
    expect(promote.status).toBe(403);
    expect(((await promote.json()) as ErrorJson).error.name).toBe('PlaceholderToken');
    expect((await app.request('/retrain', post({ records }, { authorization: 'Bearer change-me' }))).status).toBe(403);
    expect(store.calls).toEqual({ predict: 0, retrain: 0, promote: 0 });
  });

  it('checks the token before reading the body', async () => {
    const { app } = makeApp();
    expect((await app.request('/retrain', post('not json'))).status).toBe(401);
  });

  it('refuses too few records and broken ones, naming each, without training', async () => {
    const { app, store } = makeApp();
    const auth = { authorization: `Bearer ${token}` };
    await expectRefused(await app.request('/retrain', post({ records: records.slice(0, 2) }, auth)), 400, 'InvalidRequest', ['records']);
    const broken = [records[0], { ...records[1], ibu: null }, { ...records[2], ibu: -3, abv: 'x' }];
    await expectRefused(await app.request('/retrain', post({ records: broken }, auth)), 400, 'InvalidRequest', ['records[1].ibu', 'records[2].ibu', 'records[2].abv']);
    expect(store.calls.retrain).toBe(0);
  });

  it('retrains with the token, and promotes and rolls back by version', async () => {
    const { app, store } = makeApp();
    const auth = { authorization: `Bearer ${token}` };
    const res = await app.request('/retrain', post({ records, force: true }, auth));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 'v2', promoted: true, previous_version: 'v1' });
    expect(((await (await app.request('/predict', post(beer({ abv: 3 })))).json()) as { model_version: string }).model_version).toBe('v2');
    const back = await app.request('/models/v1/promote', { method: 'POST', headers: auth });
    expect(await back.json()).toMatchObject({ promoted: 'v1', previous_version: 'v2' });
    expect(((await (await app.request('/predict', post(beer()))).json()) as { model_version: string }).model_version).toBe('v1');
    const unknown = await app.request('/models/v9/promote', { method: 'POST', headers: auth });
    expect(unknown.status).toBe(404);
    expect(store.pointer()).toBe('v1');
    const list = (await (await app.request('/models')).json()) as { promoted: string; loaded: string; versions: { version: string }[] };
    expect(list).toMatchObject({ promoted: 'v1', loaded: 'v1' });
    expect(list.versions.map((v) => v.version)).toEqual(['v1', 'v2']);
  });
});

describe('model loading', () => {
  it('notices a promotion made elsewhere once the check interval has passed, without a restart', async () => {
    let now = 1_000_000;
    const store = createInMemoryBackend({ v1: 1, v2: 2 });
    const { app } = makeApp({ clock: () => now, reloadCheckEveryMs: 500 }, store);
    const version = async () => ((await (await app.request('/predict', post(beer()))).json()) as { model_version: string }).model_version;
    expect(await version()).toBe('v1');
    store.promoteBehindTheAppsBack('v2');
    expect(await version()).toBe('v1');
    now += 500;
    expect(await version()).toBe('v2');
    expect((await (await app.request('/ready')).json()) as object).toEqual({ status: 'ready', model_version: 'v2' });
  });

  it('answers every prediction during 50 concurrent promotions', async () => {
    const store = createInMemoryBackend({ v1: 1, v2: 2 });
    const { app } = makeApp({ reloadCheckEveryMs: 0 }, store);
    const auth = { authorization: `Bearer ${token}` };
    const promotions = Array.from({ length: 50 }, (_, i) => app.request(`/models/${i % 2 === 0 ? 'v2' : 'v1'}/promote`, { method: 'POST', headers: auth }));
    const predictions = Array.from({ length: 200 }, () => app.request('/predict', post([beer({ abv: 1 }), beer({ abv: 2 })])));
    const [promoted, predicted] = await Promise.all([Promise.all(promotions), Promise.all(predictions)]);
    expect(promoted.map((r) => r.status)).toEqual(promoted.map(() => 200));
    for (const res of predicted) {
      expect(res.status).toBe(200);
      const body = (await res.json()) as { model_version: string; predictions: { ibu: number }[] };
      const slope = body.model_version === 'v1' ? 1 : 2;
      // One model from start to end of each request: never a mix of versions.
      expect(body.predictions.map((p) => p.ibu)).toEqual([slope, 2 * slope]);
    }
    expect(store.pointer()).toBe('v1');
    expect((await (await app.request('/ready')).json()) as object).toMatchObject({ model_version: 'v1' });
  });
});

describe('GET /metrics', () => {
  it('counts requests by route and status, latency, errors by name, and predictions by model version', async () => {
    const { app } = makeApp();
    await app.request('/predict', post([beer(), beer()]));
    await app.request('/predict', post({ abv: 'x' }));
    await app.request('/nowhere');
    const res = await app.request('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('brewlake_http_requests_total{method="POST",route="/predict",status="200"} 1');
    expect(text).toContain('brewlake_http_requests_total{method="POST",route="/predict",status="400"} 1');
    expect(text).toContain('brewlake_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('brewlake_http_errors_total{name="InvalidRequest",route="/predict"} 1');
    expect(text).toContain('brewlake_predictions_total{model_version="v1"} 2');
    expect(text).toMatch(/brewlake_http_request_duration_seconds_bucket\{route="\/predict",le="\+Inf"\} 2/);
  });
});

describe('GET /health, /ready', () => {
  it('answers', async () => {
    const { app } = makeApp();
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok' });
    expect(await (await app.request('/ready')).json()).toEqual({ status: 'ready', model_version: 'v1' });
  });
});
