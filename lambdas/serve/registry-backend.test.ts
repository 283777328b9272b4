/**
 * POST /retrain in the Lambda's composition (lambdas/serve/lambda.ts: no lake, no
 * `referenceSet`), with the audit's noise: 10,500 records of uniform random features and IBU.
 * Judged only on a hold-out cut from themselves they won ("not worse … on the held-out
 * records (RMSE 43.11 <= 56.35)") and were promoted. Judged on the promoted version's
 * reference sample, stored when it was trained, they lose; with no reference at all they are
 * never promoted unless forced; and a promoted version that does not load is named as such,
 * never as "no version was promoted".
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReferenceSample } from '../../model/reference-sample';
import { createLocalRegistry } from '../../model/registry';
import { fixedToken } from './admin-token';
import { registryWithTwoVersions } from './registry-fixture.test-support';
import { createServeApp } from './serve-app';
import { defaultServeLimits } from './serve-limits';

const token = 'secrettoken-abcdefghijklmnop';

/** The audit's generator (.exp/audit12/noise.mjs): a seeded LCG, base features only, IBU 0–150. */
function noiseRecords(n: number) {
  let s = 42;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const i = (a: number, b: number) => Math.round(a + r() * (b - a));
  return Array.from({ length: n }, () => ({ abv: i(3, 13), target_fg: i(1000, 1020), target_og: i(1030, 1090), ebc: i(0, 100), srm: i(0, 50), ph: 4, ibu: i(0, 150) }));
}

type RetrainAnswer = { version: string; promoted: boolean; reason: string; previous_version: string | null; reference: { rows: number; candidate: { rmse: number }; current: { rmse: number } } | null };

async function retrainOnLambda(dir: string, body: unknown): Promise<{ status: number; answer: RetrainAnswer }> {
  // As lambdas/serve/lambda.ts composes it: no `retrain` options.
  const app = createServeApp({ registry: createLocalRegistry(dir), auth: { token: fixedToken(token) }, limits: defaultServeLimits });
  const res = await app.request('/retrain', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, answer: (await res.json()) as RetrainAnswer };
}

const noise = { records: noiseRecords(10_500) };

describe('POST /retrain without a lake (the Lambda)', () => {
  it('does not promote 10,500 noise records: judged on the promoted version reference sample of the lake, they lose', async () => {
    const { dir, registry, versions } = await registryWithTwoVersions('base');
    const { status, answer } = await retrainOnLambda(dir, noise);
    expect(status).toBe(200);
    expect(answer.promoted).toBe(false);
    expect(answer.reference?.rows).toBe(100);
    expect(answer.reference!.candidate.rmse).toBeGreaterThan(answer.reference!.current.rmse);
    expect(answer.reason).toMatch(new RegExp(`^not promoted: worse than ${versions[0]} on ${versions[0]}'s reference sample of the lake \\(100 rows\\) \\(RMSE [\\d.]+ > [\\d.]+\\); send force: true to promote it anyway$`));
    expect(await registry.promotedVersion()).toBe(versions[0]);
    // The new version is stored, with the lake's sample it was judged on (not the records) for the next retrain.
    expect(await readReferenceSample(registry, answer.version)).toEqual(await readReferenceSample(registry, versions[0]));
  });

  it('never promotes when there is no reference to judge on, and says so; force still does', async () => {
    const { dir, registry, versions } = await registryWithTwoVersions('base', { referenceSamples: false });
    const { answer } = await retrainOnLambda(dir, noise);
    expect(answer.promoted).toBe(false);
    expect(answer.reference).toBeNull();
    expect(answer.reason).toContain('there are no rows the submitter did not choose to judge it on');
    expect(answer.reason).toContain(`${versions[0]} stored no reference sample`);
    expect(await registry.promotedVersion()).toBe(versions[0]);
    const forced = await retrainOnLambda(dir, { ...noise, force: true });
    expect(forced.answer.promoted).toBe(true);
    expect(forced.answer.reason).toMatch(/^forced: /);
    expect(await registry.promotedVersion()).toBe(forced.answer.version);
  });

  it('names a promoted version that does not load, never "no version was promoted", and does not promote over it unforced', async () => {
    const { dir, registry, versions } = await registryWithTwoVersions('base');
    await writeFile(join(dir, 'versions', versions[0], 'model.json'), '{"format":"brewlake-ibu-gbm/1","tre');
    const { answer } = await retrainOnLambda(dir, noise);
    expect(answer.promoted).toBe(false);
    expect(answer.reason).not.toContain('no version was promoted');
    expect(answer.reason).toMatch(new RegExp(`^not promoted: the promoted version ${versions[0]} could not be loaded \\(.*model\\.json.*\\), so there is nothing to compare with; send force: true to promote it anyway$`));
    expect(await registry.promotedVersion()).toBe(versions[0]);
  });
});
