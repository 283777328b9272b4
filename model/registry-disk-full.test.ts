/**
 * The local registry on a full disk: a promote or an attach that fails for lack of space
 * leaves no temp file behind (one did: `PROMOTED.<pid>.<hex>.tmp`, `report.html.….tmp`,
 * each keeping the space the next write needs), the pointer still names the version it
 * named, and once space frees the same writes succeed. The disk is the registry folder with
 * a byte quota, enforced where the bytes are written, keeping what was written before the
 * failure, as a real full disk does.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';
import { createLocalRegistry, type Lineage } from './registry';
import { ibuModelParams, trainIbuModel, type TrainingRow } from './train';
import { trainingRowOf } from './training-data';

const disk = vi.hoisted(() => ({ root: '', quotaBytes: Number.POSITIVE_INFINITY }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const { onQuotaDisk, writeWithinQuota } = await import('../test/disk-quota');
  const writeFile = (async (path: Parameters<typeof fs.writeFile>[0], data: string | Uint8Array) =>
    onQuotaDisk(disk, path) ? writeWithinQuota(fs, disk, data, (bytes) => fs.writeFile(path, bytes)) : fs.writeFile(path, data)) as typeof fs.writeFile;
  return { ...fs, writeFile, default: { ...fs, writeFile } };
});

const rows: TrainingRow[] = catalogue
  .map((b) => cleanedRowOf(b, new Date()))
  .filter((b) => b.ibu !== null)
  .map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
const lineageFor = (version: string): Lineage => ({ version, featureSet: 'base', trainedAt: '', engine: 'test', sql: '', rows: rows.length, dataHash: 'x', params: ibuModelParams.base, codeVersion: 'test' });
const artifact = () => trainIbuModel(rows, { featureSet: 'base', params: { trees: 5 } });
let model: ReturnType<typeof artifact>;
beforeAll(() => void (model = artifact()));

beforeEach(async () => {
  disk.root = await mkdtemp(join(tmpdir(), 'brewlake-registry-full-'));
  disk.quotaBytes = Number.POSITIVE_INFINITY;
});
afterEach(async () => {
  await rm(disk.root, { recursive: true, force: true });
  disk.root = '';
});

const tempFiles = async () => (await readdir(disk.root, { recursive: true })).filter((name) => String(name).endsWith('.tmp'));
const bytesIn = async (folder: string) => {
  let bytes = 0;
  for (const name of await readdir(folder, { recursive: true })) {
    const s = await stat(join(folder, String(name)));
    if (s.isFile()) bytes += s.size;
  }
  return bytes;
};

it('a promote and an attach that hit a full disk leave no temp file, keep the pointer, and succeed once space frees', async () => {
  const registry = createLocalRegistry(disk.root);
  await registry.save(model, lineageFor('v1'));
  await registry.save(model, lineageFor('v2'));
  await registry.promote('v1');
  const pointer = await readFile(join(disk.root, 'PROMOTED'), 'utf8');

  // Full: a few bytes of room, fewer than a pointer or a report needs.
  disk.quotaBytes = (await bytesIn(disk.root)) + 10;
  await expect(registry.promote('v2')).rejects.toMatchObject({ code: 'ENOSPC' });
  await expect(registry.attach('v2', 'report.html', `<html>${'x'.repeat(5_000)}</html>`, 'text/html')).rejects.toMatchObject({ code: 'ENOSPC' });
  expect(await tempFiles()).toEqual([]);
  expect(await readFile(join(disk.root, 'PROMOTED'), 'utf8')).toBe(pointer);
  expect(await registry.promotedVersion()).toBe('v1');

  // Space frees (what the failed writes left would have kept it full): both writes go through.
  disk.quotaBytes = (await bytesIn(disk.root)) + 10_000;
  await registry.promote('v2');
  await registry.attach('v2', 'report.html', `<html>${'x'.repeat(5_000)}</html>`, 'text/html');
  expect(await registry.promotedVersion()).toBe('v2');
  expect(await tempFiles()).toEqual([]);
});

it('a save that hits a full disk leaves no temp file, and the stored versions stay readable', async () => {
  const registry = createLocalRegistry(disk.root);
  await registry.save(model, lineageFor('v1'));
  await registry.promote('v1');
  disk.quotaBytes = (await bytesIn(disk.root)) + 100;
  await expect(registry.save(model, lineageFor('v2'))).rejects.toMatchObject({ code: 'ENOSPC' });
  expect(await tempFiles()).toEqual([]);
  expect((await registry.promoted())?.version).toBe('v1');
  expect((await registry.list()).map((v) => v.version)).toEqual(['v1']);
});
