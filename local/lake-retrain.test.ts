import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../model/gbm';
import { fixedToken } from '../lambdas/serve/admin-token';
import { startServeServer, type ServeServer } from '../lambdas/serve/node-server';
import { registryWithTwoVersions } from '../lambdas/serve/registry-fixture.test-support';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { lakeRetrainOptions } from './lake-retrain';

const token = 'brew-s3cret';
let lake: string;
let server: ServeServer;
let versions: [string, string];
/** Whether the retrain is inside its training step right now (set around the real trainer). */
let training = false;

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-lake-retrain-'));
  await writeCatalogueLake(lake);
  const fixture = await registryWithTwoVersions();
  versions = fixture.versions;
  const options = lakeRetrainOptions(lake);
  const train = options.train!;
  server = await startServeServer({
    port: 0,
    registry: fixture.registry,
    auth: { token: fixedToken(token) },
    retrain: {
      ...options,
      train: async (rows, trainOptions) => {
        training = true;
        try {
          return await train(rows, trainOptions);
        } finally {
          training = false;
        }
      },
    },
  });
});
afterAll(async () => {
  await server?.close();
  await rm(lake, { recursive: true, force: true });
});

/** Records whose IBU has nothing to do with their features: what a careless or hostile client sends. */
function noiseRecords(n: number) {
  const random = seededRandom(11);
  const between = (lo: number, hi: number) => Math.round((lo + random() * (hi - lo)) * 10) / 10;
  return Array.from({ length: n }, () => ({
    abv: between(3, 12), target_fg: between(1000, 1020), target_og: between(1030, 1100), ebc: between(5, 100), srm: between(2, 50), ph: between(3.5, 5), ibu: between(0, 150),
  }));
}

describe('POST /retrain on brewlake serve over a lake', () => {
  it('does not promote 3,000 noise records that win on their own hold-out, and /predict answers while it trains', async () => {
    const retrain = fetch(`${server.url}/retrain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: noiseRecords(3_000) }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
    let done = false;
    void retrain.finally(() => (done = true));

    // Predictions keep coming while the retrain runs: each answer notes whether training was under way.
    let answeredWhileTraining = 0;
    while (!done) {
      const res = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ abv: 5, target_fg: 1010, target_og: 1050, ebc: 20, srm: 10, ph: 4.4 }) });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      if (training) answeredWhileTraining++;
    }
    expect(answeredWhileTraining).toBeGreaterThan(0);

    const { status, body } = await retrain;
    expect(status).toBe(200);
    expect(body).toMatchObject({ promoted: false, previous_version: versions[0] });
    expect(body.reason).toMatch(/not promoted: worse than .* on the lake's training set \(320 rows\)/);
    expect(body.reference).toMatchObject({ rows: 320 });
    const reference = body.reference as { candidate: { rmse: number }; current: { rmse: number } };
    expect(reference.candidate.rmse).toBeGreaterThan(reference.current.rmse);
    const models = (await (await fetch(`${server.url}/models`)).json()) as { promoted: string };
    expect(models.promoted).toBe(versions[0]);
  });
});
