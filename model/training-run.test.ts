import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../glue/duckdb';
import type { QueryEngine } from '../glue/query-engine';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { scoreLake } from './batch-scoring';
import { shuffledFolds } from './evaluate';
import { createLocalRegistry } from './registry';
import { roundIbu } from './ibu-precision';
import { readReferenceSample } from './reference-sample';
import { runTraining } from './training-run';

describe('a training run on the lake', () => {
  let lake: string;
  let engine: QueryEngine;
  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'lake-'));
    await writeCatalogueLake(lake, { redelivered: 30 });
    engine = await openDuckDbLake(lake);
  });
  afterAll(() => engine.close());

  it('reads the de-duplicated training set, stores versions with lineage, and does not silently promote a worse model', async () => {
    const registry = createLocalRegistry(join(lake, '_models'));
    const ids = (await engine.query('select id from beers where ibu is not null')).rows.map((r) => r.id as number);
    const plan = shuffledFolds(ids, { repeats: 1 });

    const first = await runTraining({ engine, registry, featureSets: ['hops'], plan });
    expect(first.rows).toBe(320);
    expect(first.promotion).toMatchObject({ promoted: true });
    const lineage = await registry.lineage(first.versions[0]!.version);
    expect(lineage).toMatchObject({ rows: 320, engine: 'duckdb', featureSet: 'hops' });
    expect(lineage.sql).toMatch(/from beers/);
    expect(lineage.dataHash).toMatch(/^[0-9a-f]{64}$/);
    // Beside it, the lake's rows a later POST /retrain judges a candidate on: 100 of the 320, with their IBU.
    const sample = await readReferenceSample(registry, first.versions[0]!.version);
    expect(sample).toHaveLength(100);
    expect(new Set(sample!.map((r) => r.id)).size).toBe(100);
    expect(sample!.every((r) => ids.includes(r.id) && Number.isFinite(r.ibu))).toBe(true);

    const worse = await runTraining({ engine, registry, featureSets: ['base'], plan });
    expect(worse.promotion.promoted).toBe(false);
    expect(worse.promotion.reason).toMatch(/worse on the same folds/);
    expect(await registry.promotedVersion()).toBe(first.versions[0]!.version);
    expect((await registry.list()).map((v) => v.version)).toContain(worse.versions[0]!.version);

    const forced = await runTraining({ engine, registry, featureSets: ['base'], plan, force: true });
    expect(forced.promotion).toMatchObject({ promoted: true, version: forced.versions[0]!.version });
  });

  it("stores each answering model's out-of-fold answers as its drift reference when its set was cross-validated, its fits otherwise", async () => {
    const registry = createLocalRegistry(join(lake, '_models_answers'));
    const ids = (await engine.query('select id from beers where ibu is not null')).rows.map((r) => r.id as number);
    const plan = shuffledFolds(ids, { repeats: 1, k: 3 });
    const both = await runTraining({ engine, registry, featureSets: ['base', 'hops'], plan });
    const hops = (await registry.load(both.versions.find((v) => v.featureSet === 'hops')!.version)).trainingSummary!;
    const oof = new Map(both.versions.map((v) => [v.featureSet, v.cv.folds.flatMap((f) => [...f.predictions.values()].map(roundIbu)).sort((a, b) => a - b)]));
    expect(hops.answers?.hops).toMatchObject({ kind: 'out_of_fold', values: oof.get('hops') });
    // The base fallback's reference is the base set's cross-validation, run in the same training.
    expect(hops.answers?.base).toMatchObject({ kind: 'out_of_fold', values: oof.get('base') });
    const alone = await runTraining({ engine, registry, featureSets: ['hops'], plan, force: true });
    const aloneSummary = (await registry.load(alone.versions[0]!.version)).trainingSummary!;
    expect(aloneSummary.answers?.hops?.kind).toBe('out_of_fold');
    expect(aloneSummary.answers?.base).toMatchObject({ kind: 'in_sample' });
    expect(aloneSummary.answers?.base?.values).toHaveLength(320);
  });

  it('scores every beer into the predictions table, queryable like the others', async () => {
    const registry = createLocalRegistry(join(lake, '_models'));
    const result = await scoreLake({ engine, registry, lakeDir: lake });
    expect(result.rows).toBe(325);
    const { rows } = await engine.query('select count(*) as n, count(distinct id) as ids, min(model_version) as v from predictions');
    expect(rows[0]).toEqual({ n: 325, ids: 325, v: result.version });
  });
});

describe('a training run over a broken promotion pointer', () => {
  it.each([['empty', ''], ['truncated', '{"version":"2026']])('(%s) stores its version and promotes it, repairing the pointer, instead of failing after storing', async (_, text) => {
    const lake = await mkdtemp(join(tmpdir(), 'lake-broken-'));
    await writeCatalogueLake(lake);
    const engine = await openDuckDbLake(lake);
    try {
      const registry = createLocalRegistry(join(lake, '_models'));
      await mkdir(join(lake, '_models'), { recursive: true });
      await writeFile(join(lake, '_models', 'PROMOTED'), text);
      const ids = (await engine.query('select id from beers where ibu is not null')).rows.map((r) => r.id as number);
      const run = await runTraining({ engine, registry, featureSets: ['base'], plan: shuffledFolds(ids, { repeats: 1, k: 3 }) });
      expect(run.promotion).toMatchObject({ promoted: true, version: run.versions[0]!.version });
      expect(run.promotion.reason).toMatch(/repair the pointer: the promotion pointer .*PROMOTED is broken/);
      expect(await registry.promotedVersion()).toBe(run.versions[0]!.version);
    } finally {
      await engine.close();
    }
  });
});
