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
import { scoreLake } from '../../model/batch-scoring';
import { ibuDecimals } from '../../model/ibu-precision';
import { localRegistryDir } from '../../model/open-registry';
import { createLocalRegistry } from '../../model/registry';
import { trainIbuModel } from '../../model/train';
import { trainingRowOf } from '../../model/training-data';
import { writeCatalogueLake } from '../../test/catalogue-lake';
import { startServeServer, type ServeServer } from './node-server';
import { predictionLogLine } from './prediction-log';

let lake: string;
let server: ServeServer;
const lines: Record<string, unknown>[] = [];
let beers: Awaited<ReturnType<typeof writeCatalogueLake>>;

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'log-content-'));
  beers = await writeCatalogueLake(lake);
  const registry = createLocalRegistry(localRegistryDir(lake));
  const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
  const artifact = trainIbuModel(labelled, { featureSet: 'hops' });
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

  it('refuses a client id that is not a whole number in range, naming the field', async () => {
    for (const id of [1.5, 0, -3, 2 ** 31, '12']) {
      const res = await predict([asSent(beers[0]!, true), { ...asSent(beers[1]!, true), id }]);
      expect(res.status, String(id)).toBe(400);
      expect(await res.text()).toMatch(/"path":"1\.id"|\[1\]\.id|1\.id/);
    }
    expect(lines).toHaveLength(0);
  });
});
