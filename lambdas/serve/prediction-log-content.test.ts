/**
 * What a logged prediction says: the model that really answered (the base fallback for a
 * beer sent without a hop bill), the client's beer id, and the IBU exactly as the API
 * answered it and as the predictions table holds it.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { baseFeatureNames } from '../../glue/schema';
import { predictInputs } from '../../model/artifact';
import { scoreLake } from '../../model/batch-scoring';
import { driftOfLoggedRows } from '../../model/drift-check';
import { minDriftSample } from '../../model/drift';
import { featureNames, featureVector, type FeatureInput } from '../../model/features';
import { roundIbu } from '../../model/ibu-precision';
import { ibuDecimals } from '../../model/ibu-precision';
import { localRegistryDir } from '../../model/open-registry';
import { createLocalRegistry } from '../../model/registry';
import { trainIbuModel } from '../../model/train';
import { featureInputOfRow, trainingRowOf } from '../../model/training-data';
import { writeCatalogueLake } from '../../test/catalogue-lake';
import { startServeServer, type ServeServer } from './node-server';
import { predictionLogLine } from './prediction-log';

let lake: string;
let server: ServeServer;
const lines: Record<string, unknown>[] = [];
let beers: Awaited<ReturnType<typeof writeCatalogueLake>>;
let artifact: ReturnType<typeof trainIbuModel>;

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'log-content-'));
  beers = await writeCatalogueLake(lake);
  const registry = createLocalRegistry(localRegistryDir(lake));
  const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
  artifact = trainIbuModel(labelled, { featureSet: 'hops' });
  expect(artifact.withoutHops?.featureSet).toBe('base');
  await registry.save(artifact, { version: 'v1', featureSet: 'hops', trainedAt: '', engine: 'test', sql: '', rows: labelled.length, dataHash: '', params: artifact.params, codeVersion: 'test' });
  await registry.promote('v1');
  server = await startServeServer({
    port: 0,
    registry,
    predictionSink: (event) => event.beers.forEach((_, i) => lines.push(JSON.parse(predictionLogLine(event, i)))),
  });
});
afterAll(async () => server?.close());

const asSent = (b: (typeof beers)[number], withHops: boolean) => ({
  id: b.id,
  ...Object.fromEntries(baseFeatureNames.map((n) => [n, b[n]])),
  volume_litres: b.volume_litres,
  ...(withHops ? { hops: b.hops.map(({ stage: _stage, ...h }) => h) } : {}),
});

const predict = (body: unknown) => fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a logged prediction', () => {
  it('names the model that answered, carries the client id, and holds the IBU the API answered and the table holds', async () => {
    const sent = beers.slice(0, 40).map((b, i) => asSent(b, i % 2 === 0));
    const res = await predict(sent);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { predictions: { ibu: number }[] };
    const logged = lines.splice(0);
    expect(logged).toHaveLength(sent.length);
    logged.forEach((row, i) => {
      expect(row.feature_set, `beer ${i}`).toBe(i % 2 === 0 ? 'hops' : 'base');
      expect(row.id).toBe(sent[i]!.id);
      expect(row.predicted_ibu).toBe(answer.predictions[i]!.ibu);
      // Never more decimals than the one rule allows.
      expect(Number(answer.predictions[i]!.ibu.toFixed(ibuDecimals))).toBe(answer.predictions[i]!.ibu);
    });

    // The predictions table: the same beers, sent with their hop bills, read the same numbers.
    const engine = await openDuckDbLake(lake);
    try {
      await scoreLake({ engine, registry: createLocalRegistry(localRegistryDir(lake)), lakeDir: lake });
      const table = new Map((await engine.query('select id, predicted_ibu from predictions')).rows.map((r) => [Number(r.id), Number(r.predicted_ibu)]));
      sent.forEach((beer, i) => {
        if (i % 2 === 0) expect(table.get(beer.id)).toBe(answer.predictions[i]!.ibu);
      });
    } finally {
      await engine.close();
    }
  });

  it('takes a hop addition without grams as an unknown amount, as the catalogue holds one: logged without an amount (left out, which the lake reads as null), missing for the model and for drift, never 0 grams', async () => {
    // Every addition's amount dropped: left out for half the beers, null for the others.
    const sent = beers
      .filter((b) => b.hops.length > 0)
      .slice(0, minDriftSample + 20)
      .map((b, i) => {
        const beer = asSent(b, true) as ReturnType<typeof asSent> & { hops: Record<string, unknown>[] };
        return { ...beer, hops: beer.hops.map(({ grams: _grams, ...hop }) => (i % 2 === 0 ? hop : { ...hop, grams: null })) };
      });
    const res = await predict(sent);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { predictions: { ibu: number }[] };
    const logged = lines.splice(0);
    expect(logged).toHaveLength(sent.length);
    const total = featureNames('hops').indexOf('hop_grams_total');
    logged.forEach((row, i) => {
      expect(row.feature_set).toBe('hops');
      expect((row.hops as { grams?: unknown }[]).every((h) => (h.grams ?? null) === null), `beer ${i}`).toBe(true);
      // The model read the amounts as missing: the answer is the one for null grams, and the
      // logged row gives the drift check the same missing features.
      expect(answer.predictions[i]!.ibu).toBe(roundIbu(predictInputs(artifact, [{ ...(sent[i]! as unknown as FeatureInput), hops: sent[i]!.hops.map((h) => ({ ...h, grams: null })) }])[0]!));
      expect(featureVector(featureInputOfRow(row), 'hops')[total]).toBeNaN();
    });
    const drift = driftOfLoggedRows(artifact, logged);
    for (const name of ['hop_grams_total', 'hop_grams_per_litre_total', 'alpha_grams_total']) {
      expect(drift.features.find((f) => f.name === name), name).toMatchObject({ n: 0, missingShare: 1, status: 'not enough data', drifted: false });
    }
    expect(drift.features.find((f) => f.name === 'hop_additions')).toMatchObject({ n: sent.length, missingShare: 0 });
  });

  it('refuses a client id that is not a whole number in range, naming the field', async () => {
    for (const id of [1.5, 0, -3, 2 ** 31, '12']) {
      const res = await predict([asSent(beers[0]!, true), { ...asSent(beers[1]!, true), id }]);
      expect(res.status, String(id)).toBe(400);
      expect(await res.text()).toMatch(/"path":"1\.id"|\[1\]\.id|1\.id/);
    }
    expect(lines).toHaveLength(0);
  });
});
