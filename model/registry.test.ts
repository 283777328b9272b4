import fc from 'fast-check';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';
import { ArtifactError, parseArtifact, predictInputs, type ModelArtifact } from './artifact';
import { BrokenPointer, createLocalRegistry, createS3Registry, newVersionName, type Lineage, type ModelRegistry } from './registry';
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
  it('reads back what was attached beside a version, locally and in S3, and null for what was not', async () => {
    const s3 = fakeS3();
    for (const registry of [createS3Registry({ client: s3.client, bucket: 'models', prefix: 'ibu/' }), createLocalRegistry(await mkdtemp(join(tmpdir(), 'registry-')))]) {
      await registry.save(artifact, lineageFor('a'));
      await registry.attach('a', 'reference-sample.json', '{"rows":[]}', 'application/json');
      expect(await registry.attachment('a', 'reference-sample.json')).toBe('{"rows":[]}');
      expect(await registry.attachment('a', 'report.html')).toBeNull();
      expect(await registry.attachment('b', 'reference-sample.json')).toBeNull();
    }
    expect(s3.objects.get('ibu/versions/a/reference-sample.json')?.body).toBe('{"rows":[]}');
  });

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

describe.each([
  ['the local registry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-pointer-'));
    const registry = createLocalRegistry(dir);
    return {
      registry,
      pointerName: join(dir, 'PROMOTED'),
      writePointer: (bytes: Uint8Array) => writeFile(join(dir, 'PROMOTED'), bytes),
      truncateModel: async (version: string) => {
        const path = join(dir, 'versions', version, 'model.json');
        const text = await readFile(path, 'utf8');
        await writeFile(path, text.slice(0, text.length >> 1));
        return path;
      },
    };
  }],
  ['the S3 registry', async () => {
    const s3 = fakeS3();
    const registry = createS3Registry({ client: s3.client, bucket: 'models', prefix: 'ibu/' });
    let etag = 0;
    return {
      registry,
      pointerName: 's3://models/ibu/PROMOTED',
      writePointer: async (bytes: Uint8Array) => void s3.objects.set('ibu/PROMOTED', { body: new TextDecoder().decode(bytes), etag: `"w${++etag}"` }),
      truncateModel: async (version: string) => {
        const key = `ibu/versions/${version}/model.json`;
        const stored = s3.objects.get(key)!;
        s3.objects.set(key, { body: stored.body.slice(0, stored.body.length >> 1), etag: '"t"' });
        return `s3://models/${key}`;
      },
    };
  }],
])('%s from any pointer state', (_, open) => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const validPointer = JSON.stringify({ version: 'v0', promotedAt: '2026-01-01T00:00:00.000Z' });
  /** Any bytes: random ones, every cut of a real pointer (a torn write), and pointers to versions that are not stored. */
  const pointerBytes = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.integer({ min: 0, max: validPointer.length }).map((n) => encode(validPointer.slice(0, n))),
    fc.constantFrom('', ' \n', '{}', 'null', '[]', '{"version":""}', '{"version":"v9"}', '{"version":"../x"}', '{"version":42}').map(encode),
    fc.string().map(encode),
  );

  it('reads every pointer as a stored version or a BrokenPointer naming the file, never as "nothing promoted"; promoting repairs it', async () => {
    const { registry, pointerName, writePointer } = await open();
    await registry.save(artifact, lineageFor('v0'));
    await registry.save(artifact, lineageFor('v1'));
    await fc.assert(
      fc.asyncProperty(pointerBytes, async (bytes) => {
        await writePointer(bytes);
        const read = await registry.promotedVersion().catch((error: unknown) => error);
        if (read === 'v0') {
          expect((await registry.promoted())?.version).toBe('v0');
        } else if (typeof read === 'string') {
          // Well-formed but naming a version that is not stored: it reads, and cannot load.
          expect(read).toBe('v9');
          const error = await registry.promoted().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(BrokenPointer);
          expect((error as Error).message).toContain(pointerName);
        } else {
          expect(read).toBeInstanceOf(BrokenPointer);
          expect((read as Error).message).toContain(pointerName);
          await expect(registry.promoted()).rejects.toThrow(BrokenPointer);
        }
        expect((await registry.list()).map((v) => v.version)).toEqual(['v0', 'v1']);
        // The rollback, from whatever state the pointer is in.
        await registry.promote('v1');
        expect(await registry.promotedVersion()).toBe('v1');
        expect((await registry.promoted())?.version).toBe('v1');
        expect((await registry.list()).filter((v) => v.promoted).map((v) => v.version)).toEqual(['v1']);
      }),
      { numRuns: 150 },
    );
  });

  it('a pointer naming a version that is not stored is broken, and says which version', async () => {
    const { registry, pointerName, writePointer } = await open();
    await registry.save(artifact, lineageFor('v0'));
    await writePointer(encode('{"version":"gone","promotedAt":"x"}'));
    await expect(registry.promoted()).rejects.toThrow(new BrokenPointer(pointerName, 'it names gone, which is not stored').message);
    await registry.promote('v0');
    expect((await registry.promoted())?.version).toBe('v0');
  });

  it('a truncated promoted model.json is an ArtifactError naming the file, not "nothing is promoted"', async () => {
    const { registry, truncateModel } = await open();
    await registry.save(artifact, lineageFor('v0'));
    await registry.save(artifact, lineageFor('v1'));
    await registry.promote('v0');
    const path = await truncateModel('v0');
    const error = await registry.promoted().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/not JSON, perhaps truncated/);
    await registry.promote('v1');
    expect((await registry.promoted())?.version).toBe('v1');
  });
});
