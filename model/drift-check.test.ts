import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../glue/duckdb';
import { lakeTimestampText } from '../glue/query-engine';
import { baseFeatureNames, predictionLogTable, type PredictionLogRow } from '../glue/schema';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { predictInputs } from './artifact';
import { defaultDriftThresholds } from './drift';
import { checkDrift, parseWindow } from './drift-check';
import { localRegistryDir } from './open-registry';
import { createLocalRegistry } from './registry';
import { ibuModelParams, trainIbuModel } from './train';
import { trainingRowOf } from './training-data';

const beers = catalogue.map((b) => cleanedRowOf(b, new Date()));
const labelled = beers.filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));

/** A lake whose prediction log holds the catalogue as the API was asked about it, abv scaled by `abvFactor`. */
async function lakeWithLog(abvFactor: number): Promise<string> {
  const lake = await mkdtemp(join(tmpdir(), 'drift-'));
  const registry = createLocalRegistry(localRegistryDir(lake));
  const artifact = trainIbuModel(labelled, { featureSet: 'hops' });
  await registry.save(artifact, { version: 'v1', featureSet: 'hops', trainedAt: '', engine: 'test', sql: '', rows: labelled.length, dataHash: '', params: ibuModelParams.hops, codeVersion: 'test' });
  await registry.promote('v1');
  const asked = beers.map((b) => ({ ...b, abv: b.abv === null ? null : b.abv * abvFactor }));
  const predicted = predictInputs(artifact, asked);
  const now = new Date();
  const rows: PredictionLogRow[] = asked.map((b, i) => ({
    request_id: `r${i}`,
    item: 0,
    predicted_at: lakeTimestampText(now.getTime() - 60_000),
    model_version: 'v1',
    feature_set: 'hops',
    ...(Object.fromEntries(baseFeatureNames.map((n) => [n, b[n]])) as Pick<PredictionLogRow, (typeof baseFeatureNames)[number]>),
    volume_litres: b.volume_litres,
    hops: b.hops,
    predicted_ibu: predicted[i]!,
    latency_ms: 1,
  }));
  await writeLakeFile(lake, predictionLogTable, rows, { time: now, id: 'log' });
  return lake;
}

describe('drift checks on the prediction log', () => {
  it('pass on traffic like the training data, and flag abv when it is doubled', async () => {
    for (const [factor, drifted] of [[1, false], [2, true]] as const) {
      const lake = await lakeWithLog(factor);
      const engine = await openDuckDbLake(lake);
      try {
        const report = await checkDrift({ engine, registry: createLocalRegistry(localRegistryDir(lake)), windowMs: parseWindow('24h'), thresholds: defaultDriftThresholds });
        expect(report.rows).toBe(325);
        expect(report.drifted).toBe(drifted);
        expect(report.features.find((f) => f.name === 'abv')!.drifted).toBe(drifted);
        if (drifted) expect(report.features.filter((f) => f.drifted).map((f) => f.name)).toContain('abv');
        else expect(report.features.every((f) => !f.drifted)).toBe(true);
      } finally {
        await engine.close();
      }
    }
  });

  it('brewlake drift exits 1 on drift, naming the feature, and 0 without', async () => {
    const run = (lake: string) =>
      promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'drift', '--lake', lake, '--json'], { cwd: join(import.meta.dirname, '..') }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
    const calm = await run(await lakeWithLog(1));
    expect(calm.code).toBe(0);
    expect(calm.stdout).toMatch(/no drift above threshold/);
    const shifted = await run(await lakeWithLog(2));
    expect(shifted.code).toBe(1);
    expect(shifted.stdout).toMatch(/^abv\s+325\s+[\d.]+\s+[\d.]+\s+DRIFT$/m);
    expect(JSON.parse(shifted.stdout.trim().split('\n').at(-1)!).drifted).toBe(true);
  });

  it('refuses a window it cannot read, naming the option', () => {
    expect(() => parseWindow('yesterday')).toThrow(/--window: expected/);
    expect(parseWindow('30m')).toBe(1_800_000);
  });
});
