import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ArtifactError } from './artifact';
import { readReferenceSample, referenceSample, referenceSampleFile, storeReferenceSample } from './reference-sample';
import { createLocalRegistry } from './registry';
import type { TrainingRow } from './train';

/** A local registry with a folder for version v1 (attachments sit beside a stored version). */
async function registryWithV1() {
  const dir = await mkdtemp(join(tmpdir(), 'reference-'));
  await mkdir(join(dir, 'versions', 'v1'), { recursive: true });
  return createLocalRegistry(dir);
}

const rows: TrainingRow[] = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, ibu: i % 90, abv: 5, target_fg: 1010, target_og: 1050, ebc: 20, srm: 10, ph: 4.4, hops: null }));

it('is the same fixed sample of the same rows every time, and reads back as stored', async () => {
  const sample = referenceSample(rows);
  expect(sample).toHaveLength(100);
  expect(referenceSample(rows)).toEqual(sample);
  expect(referenceSample(rows.slice(0, 30))).toHaveLength(30);
  const registry = await registryWithV1();
  await storeReferenceSample(registry, 'v1', sample);
  expect(await readReferenceSample(registry, 'v1')).toEqual(sample);
  expect(await readReferenceSample(registry, 'v2')).toBeNull();
});

it.each([
  ['truncated', '{"rows":[{"id":1,"ib', /not JSON, perhaps truncated/],
  ['empty', '{"rows":[]}', /rows: expected a non-empty list/],
  ['a row without its IBU', '{"rows":[{"id":1,"abv":5}]}', /rows\[0\]: ibu: expected a finite number/],
  ['a feature that is text', '{"rows":[{"id":1,"ibu":20,"abv":"strong"}]}', /rows\[0\]: abv: expected a number or null/],
])('a stored sample that is %s is an ArtifactError naming the file', async (_, text, reason) => {
  const registry = await registryWithV1();
  await registry.attach('v1', referenceSampleFile, text, 'application/json');
  const error = await readReferenceSample(registry, 'v1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ArtifactError);
  expect((error as Error).message).toContain(`v1/${referenceSampleFile}`);
  expect((error as Error).message).toMatch(reason);
});
