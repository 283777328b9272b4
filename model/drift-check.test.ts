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
import { answeringFeatureSet, predictInputs, type ModelArtifact } from './artifact';
import { defaultDriftThresholds, minDriftSample } from './drift';
import { checkDrift, driftOfLoggedRows, parseWindow } from './drift-check';
import { crossValidate, evaluationFoldsPath, outOfFoldAnswers, readFoldsFile } from './evaluate';
import { hopFeatureNames } from './features';
import { seededRandom } from './gbm';
import { localRegistryDir } from './open-registry';
import { createLocalRegistry } from './registry';
import { ibuModelParams, trainIbuModel } from './train';
import { trainingRowOf } from './training-data';
import { roundIbu } from './ibu-precision';

const beers = catalogue.map((b) => cleanedRowOf(b, new Date()));
const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
/** The hop-bill model as `brewlake train` makes it: each answering model's out-of-fold answers on the shipped folds as its reference. */
let artifact: ModelArtifact;
/** The same model trained alone (no cross-validation): its own fits as the reference. */
let inSample: ModelArtifact;
beforeAll(() => {
  const plan = readFoldsFile(evaluationFoldsPath);
  const outOfFold = { base: outOfFoldAnswers(crossValidate(labelled, plan, 'base')), hops: outOfFoldAnswers(crossValidate(labelled, plan, 'hops')) };
  artifact = trainIbuModel(labelled, { featureSet: 'hops', outOfFold });
  inSample = trainIbuModel(labelled, { featureSet: 'hops' });
});

/** The catalogue as the API was asked about it: abv scaled by `abvFactor`, the hop bill sent or left out. */
const asked = (abvFactor: number, withHops: boolean) => beers.map((b) => ({ ...b, abv: b.abv === null ? null : b.abv * abvFactor, hops: withHops ? b.hops : null }));

type Asked = ReturnType<typeof asked>[number];

/** The prediction_log rows of `batch` as the API logs them: its rounded answers, the answering model's feature set. */
function loggedRows(model: ModelArtifact, batch: readonly Asked[], tag: string, predictedAt = lakeTimestampText(Date.now() - 60_000)): PredictionLogRow[] {
  const predicted = predictInputs(model, batch);
  return batch.map((beer, i) => ({
    request_id: `r${tag}-${i}`,
    item: 0,
    predicted_at: predictedAt,
    model_version: 'v1',
    feature_set: answeringFeatureSet(model, beer),
    id: beer.id,
    ...(Object.fromEntries(baseFeatureNames.map((n) => [n, beer[n]])) as Pick<PredictionLogRow, (typeof baseFeatureNames)[number]>),
    volume_litres: beer.volume_litres,
    hops: beer.hops as CleanedBeer['hops'],
    predicted_ibu: roundIbu(predicted[i]!),
    latency_ms: 1,
  }));
}

/** A lake with a promoted hop-bill model (`model`, by default as `brewlake train` makes it) and, in its prediction log, the given batches of requests. */
async function lakeWithLog(batches: readonly (readonly Asked[])[], options: { model?: boolean; promoted?: ModelArtifact } = {}): Promise<string> {
  const lake = await mkdtemp(join(tmpdir(), 'drift-'));
  const promoted = options.promoted ?? artifact;
  if (options.model ?? true) {
    const registry = createLocalRegistry(localRegistryDir(lake));
    await registry.save(promoted, { version: 'v1', featureSet: 'hops', trainedAt: '', engine: 'test', sql: '', rows: labelled.length, dataHash: '', params: ibuModelParams.hops, codeVersion: 'test' });
    await registry.promote('v1');
  }
  const now = new Date();
  for (const [b, batch] of batches.entries()) {
    const rows = loggedRows(promoted, batch, String(b), lakeTimestampText(now.getTime() - 60_000));
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
    // The base fallback's answers are judged against the fallback's own, not the hop-bill model's.
    expect([...check.features, ...check.predictions].filter((f) => f.drifted).map((f) => f.name)).toEqual([]);
    const cli = await run(lake);
    expect(cli.stdout).not.toMatch(/^(hop_|tinseth|alpha_)\S*\s.*DRIFT$/m);
    expect(cli.stdout).toMatch(/^hop_grams_start\s+325\s+94%\s+\d+%\s+[\d.]+\s+[\d.]+\s+ok$/m);
  });

  it('property: the catalogue replay mixed with any number of hop-less requests of catalogue beers flags nothing, predicted_ibu included; abv doubled is flagged', () => {
    const replay = asked(1, true);
    const hopless = asked(1, false);
    // Any number of hop-less requests (fast-check's arrays stay short, so the count is drawn
    // outright), the replay anywhere among them, against either reference a model can carry.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer(), fc.nat(), fc.constantFrom('out_of_fold', 'in_sample'), (count, seed, offset, reference) => {
        const model = reference === 'out_of_fold' ? artifact : inSample;
        const random = seededRandom(seed);
        const sent = Array.from({ length: count }, () => hopless[Math.floor(random() * hopless.length)]!);
        const at = offset % (count + 1);
        const traffic = [...sent.slice(0, at), ...replay, ...sent.slice(at)];
        const check = driftOfLoggedRows(model, loggedRows(model, traffic, 'p') as unknown as Record<string, unknown>[]);
        const columns = [...check.features, ...check.predictions];
        expect(columns.filter((c) => c.drifted).map((c) => [c.name, c.psi, c.ks])).toEqual([]);
        expect(check.verdict).toBe('no drift');
        // The answers are judged, per answering model, wherever there are enough of them.
        expect(check.predictions.find((c) => c.name === 'predicted_ibu (hops)')).toMatchObject({ n: replay.length, status: 'ok' });
        expect(check.predictions.find((c) => c.name === 'predicted_ibu (base)')).toMatchObject({ n: count, status: count >= minDriftSample ? 'ok' : 'not enough data' });

        // The same traffic with abv doubled has drifted.
        const doubled = traffic.map((b) => ({ ...b, abv: b.abv === null ? null : 2 * b.abv }));
        const shifted = driftOfLoggedRows(model, loggedRows(model, doubled, 's') as unknown as Record<string, unknown>[]);
        expect(shifted.features.find((f) => f.name === 'abv')!.status).toBe('drift');
        expect(shifted.verdict).toBe('drift');
      }),
      { numRuns: 12, examples: [[20_000, 7, 10_000, 'out_of_fold'], [650, 7, 0, 'out_of_fold'], [1, 7, 0, 'in_sample']] },
    );
  });

  it('the audit: the unchanged catalogue 3x without hop bills, and the replay with 20,000 hop-less requests, are no drift, exit 0', async () => {
    const hopless = asked(1, false);
    const threeTimes = await lakeWithLog([hopless, hopless, hopless]);
    const check = await report(threeTimes);
    expect(check.predictions.find((c) => c.name === 'predicted_ibu (base)')).toMatchObject({ n: 975, status: 'ok', drifted: false });
    expect(check.verdict).toBe('no drift');
    const cli = await run(threeTimes);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^predicted_ibu \(base\)\s+975\s+0%\s+0%\s+[\d.]+\s+[\d.]+\s+ok$/m);
    expect(cli.stdout).not.toMatch(/DRIFT/);

    const many = Array.from({ length: 20_000 }, (_, i) => hopless[(i * 7) % hopless.length]!);
    const mixed = await run(await lakeWithLog([asked(1, true), many]));
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toMatch(/^predicted_ibu \(hops\)\s+325\s+0%\s+0%\s+[\d.]+\s+[\d.]+\s+ok$/m);
    expect(mixed.stdout).toMatch(/^predicted_ibu \(base\)\s+20000\s+0%\s+0%\s+[\d.]+\s+[\d.]+\s+ok$/m);
  });

  it('a model trained before answers were summarised: its answers are "no reference", the features still judged', async () => {
    const { answers: _none, ...oldSummary } = artifact.trainingSummary!;
    const old: ModelArtifact = { ...artifact, trainingSummary: oldSummary };
    const hopless = asked(1, false);
    const calm = await run(await lakeWithLog([asked(1, true), hopless, hopless], { promoted: old }));
    expect(calm.code).toBe(0);
    expect(calm.stdout).toMatch(/^predicted_ibu \(hops\)\s+325\s+0%\s+0%\s+—\s+—\s+no reference$/m);
    expect(calm.stdout).toMatch(/^predicted_ibu \(base\)\s+650\s+0%\s+0%\s+—\s+—\s+no reference$/m);
    expect(calm.stdout).toMatch(/^not judged \(no reference.*retrain.*\): predicted_ibu \(hops\), predicted_ibu \(base\)$/m);
    const shifted = await run(await lakeWithLog([asked(2, true)], { promoted: old }));
    expect(shifted.code).toBe(1);
    expect(shifted.stdout).toMatch(/^drift: abv/m);
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
