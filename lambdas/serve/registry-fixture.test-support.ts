/**
 * Test fixture: the real catalogue, cleaned by the real transform, and a local registry in
 * a temp folder holding two small versions trained by the model's own `trainIbuModel`.
 */
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CleanedBeer } from '../../glue/schema';
import type { FeatureSet } from '../../model/features';
import { referenceSample, storeReferenceSample } from '../../model/reference-sample';
import { createLocalRegistry, type ModelRegistry } from '../../model/registry';
import { trainIbuModel } from '../../model/train';
import { cleanBeer } from '../transform/clean-beer';

const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as unknown[];

export const cleanedCatalogue: CleanedBeer[] = catalogue.flatMap((raw) => {
  const result = cleanBeer(raw, new Date('2025-01-01T00:00:00Z'));
  return result.ok ? [result.beer] : [];
});

/** Cleaned beers with a measured IBU, as `POST /retrain` takes them. */
export const labelledCatalogue = cleanedCatalogue.filter((b) => b.ibu !== null);

/** Two versions as `brewlake train` stores them (with a reference sample of their rows, unless `referenceSamples: false`, as versions trained before there were any). */
export async function registryWithTwoVersions(featureSet: FeatureSet = 'hops', options: { referenceSamples?: boolean } = {}): Promise<{ dir: string; registry: ModelRegistry; versions: [string, string] }> {
  const dir = await mkdtemp(join(tmpdir(), 'brewlake-serve-'));
  const registry = createLocalRegistry(dir);
  const rows = labelledCatalogue.map((b) => ({ ...b, ibu: b.ibu! }));
  const versions: string[] = [];
  for (const [i, trees] of [10, 20].entries()) {
    const artifact = trainIbuModel(rows, { featureSet, params: { trees } });
    const version = `2025010${i + 1}T000000Z-test0${i}`;
    await registry.save(artifact, { version, featureSet, trainedAt: `2025-01-0${i + 1}T00:00:00.000Z`, engine: 'test', sql: '', rows: rows.length, dataHash: 'test', params: artifact.params, codeVersion: 'test' });
    if (options.referenceSamples !== false) await storeReferenceSample(registry, version, referenceSample(rows));
    versions.push(version);
  }
  await registry.promote(versions[0]!);
  return { dir, registry, versions: versions as [string, string] };
}
