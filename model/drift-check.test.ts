import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../glue/duckdb';
import { firehoseObjectKey } from '../glue/layout';
import { lakeTimestampText } from '../glue/query-engine';
import { baseFeatureNames, predictionLogTable, type CleanedBeer, type PredictionLogRow } from '../glue/schema';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { predictInputs, type ModelArtifact } from './artifact';
import { defaultDriftThresholds, driftReport, minDriftSample } from './drift';
import { checkDrift, parseWindow } from './drift-check';
import { featureVector, hopFeatureNames } from './features';
import { seededRandom } from './gbm';
import { localRegistryDir } from './open-registry';
import { createLocalRegistry } from './registry';
import { ibuModelParams, trainIbuModel } from './train';
import { trainingRowOf } from './training-data';

const beers = catalogue.map((b) => cleanedRowOf(b, new Date()));
const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
let artifact: ModelArtifact;
beforeAll(() => {
  artifact = trainIbuModel(labelled, { featureSet: 'hops' });
});

/** The catalogue as the API was asked about it: abv scaled by `abvFactor`, the hop bill sent or left out. */
const asked = (abvFactor: number, withHops: boolean) => beers.map((b) => ({ ...b, abv: b.abv === null ? null : b.abv * abvFactor, hops: withHops ? b.hops : null }));

/** A lake with a promoted hop-bill model and, in its prediction log, the given batches of requests. */
async function lakeWithLog(batches: readonly (readonly ReturnType<typeof asked>[number][])[], options: { model?: boolean } = {}): Promise<string> {
  const lake = await mkdtemp(join(tmpdir(), 'drift-'));
  if (options.model ?? true) {
    const registry = createLocalRegistry(localRegistryDir(lake));
    await registry.save(artifact, { version: 'v1', featureSet: 'hops', trainedAt: '', engine: 'test', sql: '', rows: labelled.length, dataHash: '', params: ibuModelParams.hops, codeVersion: 'test' });
    await registry.promote('v1');
  }
  const now = new Date();
  for (const [b, batch] of batches.entries()) {
    const predicted = predictInputs(artifact, batch);
    const rows: PredictionLogRow[] = batch.map((beer, i) => ({
      request_id: `r${b}-${i}`,
      item: 0,
      predicted_at: lakeTimestampText(now.getTime() - 60_000),
      model_version: 'v1',
      feature_set: beer.hops ? 'hops' : 'base',
      id: beer.id,
      ...(Object.fromEntries(baseFeatureNames.map((n) => [n, beer[n]])) as Pick<PredictionLogRow, (typeof baseFeatureNames)[number]>),
      volume_litres: beer.volume_litres,
      hops: beer.hops as CleanedBeer['hops'],
      predicted_ibu: predicted[i]!,
      latency_ms: 1,
    }));
    if (rows.length > 0) await writeLakeFile(lake, predictionLogTable, rows, { time: now, id: `log-${b}` });
  }
  return lake;
}

const report = async (lake: string) => {
  const engine = await openDuckDbLake(lake);
  try {
    return await checkDrift({ engine, registry: createLocalRegistry(localRegistryDir(lake)), windowMs: parseWindow('24h'), thresholds: defaultDriftThresholds });
  } finally {
    await engine.close();
  }
};

const run = (lake: string, ...args: string[]) =>
  promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'drift', '--lake', lake, ...args], { cwd: join(import.meta.dirname, '..') }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

/** The hop features read from the hop bill (attenuation comes from the gravities, which a hop-less request still sends). */
const hopBillFeatures = hopFeatureNames.filter((n) => n !== 'attenuation');

describe('drift checks on the prediction log', () => {
  it('pass on traffic like the training data, and flag abv when it is doubled', async () => {
    const calm = await report(await lakeWithLog([asked(1, true)]));
    expect(calm.rows).toBe(325);
    expect(calm.verdict).toBe('no drift');
    const shifted = await report(await lakeWithLog([asked(2, true)]));
    expect(shifted.verdict).toBe('drift');
    expect(shifted.features.find((f) => f.name === 'abv')!.drifted).toBe(true);
  });

  it('3 x 325 beers without hop bills, abv doubled: abv drifts, no hop feature is flagged', async () => {
    const hopless = asked(2, false);
    const check = await report(await lakeWithLog([hopless, hopless, hopless]));
    expect(check.rows).toBe(975);
    expect(check.features.find((f) => f.name === 'abv')!.status).toBe('drift');
    for (const name of hopBillFeatures) {
      const column = check.features.find((f) => f.name === name)!;
      expect(column, name).toMatchObject({ n: 0, missingShare: 1, status: 'not enough data', psi: null, drifted: false });
    }
  });

  it('325 beers with hop bills among 5,000 without: the hop features are judged on the 325, and do not drift', async () => {
    const hopless = asked(1, false);
    const many = Array.from({ length: 5_000 }, (_, i) => hopless[(i * 7) % hopless.length]!);
    const lake = await lakeWithLog([asked(1, true), many]);
    const check = await report(lake);
    for (const name of hopBillFeatures) {
      const column = check.features.find((f) => f.name === name)!;
      expect(column.n, name).toBeLessThanOrEqual(325);
      expect(column.missingShare, name).toBeGreaterThan(0.9);
      expect(column.status, name).not.toBe('drift');
    }
    // Only the hop features are in question here: the base fallback's answers for 5,000 hop-less
    // beers are spread less than the hop-bill model's, so predicted_ibu may well move.
    expect(check.features.filter((f) => f.drifted).map((f) => f.name)).toEqual([]);
    const cli = await run(lake);
    expect(cli.stdout).not.toMatch(/^(hop_|tinseth|alpha_)\S*\s.*DRIFT$/m);
    expect(cli.stdout).toMatch(/^hop_grams_start\s+325\s+94%\s+\d+%\s+[\d.]+\s+[\d.]+\s+ok$/m);
  });

  it('property: the catalogue replay mixed with any number of hop-less requests flags no hop feature', () => {
    const summary = artifact.trainingSummary!;
    const replay = beers.map((b) => featureVector(b, 'hops'));
    const replayPredictions = predictInputs(artifact, beers);
    // Any number of hop-less requests (fast-check's arrays stay short, so the count is drawn
    // outright): catalogue beers, at any abv, sent without their hop bills.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6_000 }), fc.integer(), fc.nat(), (count, seed, offset) => {
        const random = seededRandom(seed);
        const sent = Array.from({ length: count }, () => ({ ...beers[Math.floor(random() * beers.length)]!, abv: random() < 0.1 ? null : random() * 100, hops: null }));
        // The replay lands anywhere among the hop-less requests.
        const at = offset % (count + 1);
        const vectors = [...sent.slice(0, at).map((b) => featureVector(b, 'hops')), ...replay, ...sent.slice(at).map((b) => featureVector(b, 'hops'))];
        const predictions = [...predictInputs(artifact, sent.slice(0, at)), ...replayPredictions, ...predictInputs(artifact, sent.slice(at))];
        const check = driftReport(summary, vectors, predictions);
        const flagged = check.features.filter((f) => f.drifted && hopBillFeatures.includes(f.name as (typeof hopBillFeatures)[number]));
        expect(flagged.map((f) => f.name)).toEqual([]);
      }),
      { numRuns: 40, examples: [[5_000, 7, 2_500], [1, 7, 0]] },
    );
  });

  it('brewlake drift exits 1 on drift, naming the feature, and 0 without', async () => {
    const calm = await run(await lakeWithLog([asked(1, true)]), '--json');
    expect(calm.code).toBe(0);
    expect(calm.stdout).toMatch(/no drift above threshold/);
    const shifted = await run(await lakeWithLog([asked(2, true)]), '--json');
    expect(shifted.code).toBe(1);
    expect(shifted.stdout).toMatch(/^abv\s+325\s+0%\s+0%\s+[\d.]+\s+[\d.]+\s+DRIFT$/m);
    expect(JSON.parse(shifted.stdout.trim().split('\n').at(-1)!).verdict).toBe('drift');
  });

  it(`brewlake drift exits 2, "not enough data", on an empty window and below ${minDriftSample} rows`, async () => {
    const empty = await run(await lakeWithLog([]));
    expect(empty.code).toBe(2);
    expect(empty.stdout).toMatch(/^not enough data: 0 logged predictions/m);
    expect(empty.stdout).not.toMatch(/no drift/);
    // One request holding one far-off beer: not a PSI, not a verdict.
    const one = await run(await lakeWithLog([asked(3, true).slice(0, minDriftSample - 1)]));
    expect(one.code).toBe(2);
    expect(one.stdout).toMatch(/^abv\s+99\s+0%\s+0%\s+—\s+—\s+not enough data$/m);
  });

  it('brewlake drift exits 2 when it cannot judge: no model, an unreadable table, a bad option', async () => {
    const noModel = await run(await lakeWithLog([asked(2, true)], { model: false }));
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/cannot judge: no promoted model in .*brewlake train/);

    const broken = await lakeWithLog([asked(2, true)]);
    const key = join(broken, firehoseObjectKey({ prefix: predictionLogTable.prefix, deliveryStream: 'prediction_log', time: new Date(), id: 'broken' }));
    await mkdir(dirname(key), { recursive: true });
    await writeFile(key, '{"request_id": "x", "item": \n');
    const unreadable = await run(broken);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/cannot judge/);

    expect((await run(broken, '--window', 'yesterday')).code).toBe(2);
    expect((await run(broken, '--psi-threshold', 'high')).code).toBe(2);
    expect((await run(broken, '--no-such-option')).code).toBe(2);
  });

  it('refuses a window it cannot read, naming the option', () => {
    expect(() => parseWindow('yesterday')).toThrow(/--window: expected/);
    expect(() => parseWindow('0h')).toThrow(/--window: expected/);
    expect(parseWindow('30m')).toBe(1_800_000);
  });
});
