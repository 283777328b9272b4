import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';
import { ArtifactError, parseArtifact, predictInputs, type ModelArtifact } from './artifact';
import { createLocalRegistry, createS3Registry, newVersionName, type Lineage, type ModelRegistry } from './registry';
import { ibuModelParams, trainIbuModel, type TrainingRow } from './train';
import { trainingRowOf } from './training-data';

const rows: TrainingRow[] = catalogue
  .map((b) => cleanedRowOf(b, new Date()))
  .filter((b) => b.ibu !== null)
  .map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
const lineageFor = (version: string): Lineage => ({
  version,
  featureSet: 'hops',
  trainedAt: new Date().toISOString(),
  engine: 'duckdb',
  sql: 'select 1',
  rows: rows.length,
  dataHash: 'x',
  params: ibuModelParams.hops,
  codeVersion: 'test',
});

let artifact: ModelArtifact;
beforeAll(() => void (artifact = trainIbuModel(rows, { featureSet: 'hops', params: { trees: 20 } })));

describe('the artifact', () => {
  it('gives the same predictions after a save and a load', async () => {
    const registry = createLocalRegistry(await mkdtemp(join(tmpdir(), 'registry-')));
    const version = await registry.save(artifact, lineageFor(newVersionName()));
    const loaded = await registry.load(version);
    expect(Array.from(predictInputs(loaded, rows))).toEqual(Array.from(predictInputs(artifact, rows)));
  });

  it.each([
    ['not an object', 'nope', /expected a JSON object/],
    ['another format', { format: 'other' }, /format: expected brewlake-ibu-gbm\/1/],
    ['features of other code', () => ({ ...artifact, features: ['abv'] }), /features: do not match/],
    ['a child out of range', () => ({ ...artifact, trees: [{ ...artifact.trees[0]!, left: artifact.trees[0]!.left.map(() => 9999) }] }), /children out of range/],
    ['a NaN leaf', () => ({ ...artifact, trees: [{ ...artifact.trees[0]!, value: artifact.trees[0]!.value.map(() => null) }] }), /six arrays of finite numbers/],
  ])('is refused with a named error when it is %s', (_, value, message) => {
    const json = typeof value === 'function' ? value() : value;
    expect(() => parseArtifact(json, 'model.json')).toThrow(ArtifactError);
    expect(() => parseArtifact(json, 'model.json')).toThrow(message);
  });
});

describe('the local registry', () => {
  let dir: string;
  let registry: ModelRegistry;
  let versions: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-'));
    registry = createLocalRegistry(dir);
    versions = [];
    for (let i = 0; i < 5; i++) versions.push(await registry.save(artifact, lineageFor(`v${i}`)));
    await registry.promote('v0');
  });

  it('tags the pointer afresh with every promotion, even of the same version within a millisecond', async () => {
    const fresh = createLocalRegistry(await mkdtemp(join(tmpdir(), 'registry-tag-')));
    await fresh.save(artifact, lineageFor('a'));
    expect(await fresh.pointerTag()).toBeUndefined();
    const tags = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) {
      await fresh.promote('a');
      tags.add(await fresh.pointerTag());
    }
    expect(tags.size).toBe(5);
  });

  it('never leaves a torn pointer under 50 concurrent promotions', async () => {
    const reads: Promise<string | null>[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        reads.push(registry.promotedVersion());
        return registry.promote(versions[i % versions.length]!);
      }),
    );
    for (const seen of await Promise.all(reads)) expect(versions).toContain(seen);
    expect(versions).toContain(await registry.promotedVersion());
    expect(JSON.parse(await readFile(join(dir, 'PROMOTED'), 'utf8')).version).toBe(await registry.promotedVersion());
  });

  it('refuses to promote a corrupted or missing artifact, and the promoted version keeps serving', async () => {
    await registry.promote('v1');
    await writeFile(join(dir, 'versions', 'v2', 'model.json'), '{"format":"brewlake-ibu-gbm/1","trees":[');
    await expect(registry.promote('v2')).rejects.toThrow(ArtifactError);
    await expect(registry.promote('v9')).rejects.toThrow(/no model version v9/);
    await expect(registry.promote('../../etc')).rejects.toThrow(/not a version name/);
    expect((await registry.promoted())?.version).toBe('v1');
  });

  it('lists versions oldest first, marking the promoted one (rollback is promoting an older one)', async () => {
    await registry.promote('v3');
    await registry.promote('v0');
    const list = await registry.list();
    expect(list.map((v) => v.version)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(list.filter((v) => v.promoted).map((v) => v.version)).toEqual(['v0']);
  });
});

/** An S3 client stubbed at the SDK boundary: a map of objects with ETags and S3's conditional-write rules. */
function fakeS3(options: { conflicts?: number } = {}) {
  const objects = new Map<string, { body: string; etag: string }>();
  let etags = 0;
  let conflicts = options.conflicts ?? 0;
  const client = {
    async send(command: unknown) {
      if (command instanceof PutObjectCommand) {
        const { Key, Body, IfMatch, IfNoneMatch } = command.input;
        const current = objects.get(Key!);
        const failed = (IfNoneMatch === '*' && current) || (IfMatch !== undefined && current?.etag !== IfMatch);
        if (failed || (Key!.endsWith('PROMOTED') && conflicts-- > 0)) {
          throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
        }
        objects.set(Key!, { body: String(Body), etag: `"${++etags}"` });
        return { ETag: `"${etags}"` };
      }
      if (command instanceof HeadObjectCommand) {
        const o = objects.get(command.input.Key!);
        if (!o) throw Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
        return { ETag: o.etag };
      }
      if (command instanceof GetObjectCommand) {
        const o = objects.get(command.input.Key!);
        if (!o) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
        return { ETag: o.etag, Body: { transformToString: async () => o.body } };
      }
      if (command instanceof ListObjectsV2Command) {
        return { Contents: [...objects.keys()].filter((k) => k.startsWith(command.input.Prefix!)).map((Key) => ({ Key })), IsTruncated: false };
      }
      throw new Error('unexpected command');
    },
  } as unknown as S3Client;
  return { client, objects };
}

describe('the S3 registry', () => {
  it('saves, lists, promotes with a conditional write, and loads', async () => {
    const s3 = fakeS3();
    const registry = createS3Registry({ client: s3.client, bucket: 'models', prefix: 'ibu/' });
    await registry.save(artifact, lineageFor('a'));
    await registry.save(artifact, lineageFor('b'));
    await registry.promote('a');
    await registry.promote('b');
    expect(s3.objects.has('ibu/versions/a/model.json')).toBe(true);
    expect((await registry.list()).map((v) => [v.version, v.promoted])).toEqual([['a', false], ['b', true]]);
    expect((await registry.promoted())?.version).toBe('b');
  });

  it('retries a promotion that lost a race, then names the conflict if it keeps losing', async () => {
    const racing = fakeS3({ conflicts: 2 });
    const registry = createS3Registry({ client: racing.client, bucket: 'models' });
    await registry.save(artifact, lineageFor('a'));
    await registry.promote('a');
    expect(await registry.promotedVersion()).toBe('a');

    const losing = fakeS3({ conflicts: 100 });
    const unlucky = createS3Registry({ client: losing.client, bucket: 'models', maxAttempts: 3 });
    await unlucky.save(artifact, lineageFor('a'));
    await expect(unlucky.promote('a')).rejects.toThrow(/PromotionConflict|pointer kept changing/);
    expect(await unlucky.promotedVersion()).toBeNull();
  });

  it('tags the pointer by its ETag, without reading it: a new tag with every promotion, none before the first', async () => {
    const s3 = fakeS3();
    const registry = createS3Registry({ client: s3.client, bucket: 'models', prefix: 'ibu/' });
    await registry.save(artifact, lineageFor('a'));
    expect(await registry.pointerTag()).toBeUndefined();
    await registry.promote('a');
    const first = await registry.pointerTag();
    expect(first).toBe(s3.objects.get('ibu/PROMOTED')!.etag);
    expect(await registry.pointerTag()).toBe(first);
    await registry.promote('a');
    expect(await registry.pointerTag()).not.toBe(first);
  });

  it('refuses a corrupt artifact before touching the pointer', async () => {
    const s3 = fakeS3();
    const registry = createS3Registry({ client: s3.client, bucket: 'models' });
    await registry.save(artifact, lineageFor('good'));
    await registry.promote('good');
    s3.objects.set('versions/bad/model.json', { body: '{"format":1}', etag: '"x"' });
    s3.objects.set('versions/bad/lineage.json', { body: JSON.stringify(lineageFor('bad')), etag: '"y"' });
    await expect(registry.promote('bad')).rejects.toThrow(ArtifactError);
    expect(await registry.promotedVersion()).toBe('good');
  });
});
