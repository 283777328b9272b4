/**
 * A durable write on a full disk: the write fails, leaves nothing behind, and once space
 * frees the next write succeeds. The disk is a folder with a byte quota, enforced where the
 * bytes are written (the file handle's writeFile), so a temp file left part-written keeps
 * taking space, as it does on a real full disk.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { writeFileDurably } from './durable-file';

const disk = vi.hoisted(() => ({ root: '', quotaBytes: Number.POSITIVE_INFINITY }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const { onQuotaDisk, writeWithinQuota } = await import('../../test/disk-quota');
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    if (!onQuotaDisk(disk, args[0])) return handle;
    const writeAll = handle.writeFile.bind(handle);
    handle.writeFile = (data: Parameters<typeof writeAll>[0]) => writeWithinQuota(fs, disk, data as Uint8Array | string, (bytes) => writeAll(bytes));
    return handle;
  };
  return { ...fs, open, default: { ...fs, open } };
});

beforeEach(async () => {
  disk.root = await mkdtemp(join(tmpdir(), 'brewlake-full-disk-'));
  disk.quotaBytes = 10_000;
});
afterEach(async () => {
  await rm(disk.root, { recursive: true, force: true });
  disk.root = '';
});

it('leaves no temp file behind when the disk is full, and writes again once space frees', async () => {
  const lake = join(disk.root, 'lake');
  const temp = join(disk.root, 'tmp');
  const filler = join(disk.root, 'filler');
  await writeFile(filler, Buffer.alloc(6_000));

  await expect(writeFileDurably(join(lake, 'a.json'), Buffer.alloc(6_000, 'a'), temp)).rejects.toMatchObject({ code: 'ENOSPC' });
  expect(await readdir(temp)).toEqual([]);
  await expect(stat(join(lake, 'a.json'))).rejects.toMatchObject({ code: 'ENOENT' });

  // Space frees: the same write now fits, and nothing earlier holds on to it.
  await rm(filler);
  await writeFileDurably(join(lake, 'a.json'), Buffer.alloc(6_000, 'a'), temp);
  expect(await readFile(join(lake, 'a.json'))).toEqual(Buffer.alloc(6_000, 'a'));
  expect(await readdir(temp)).toEqual([]);
});

it('keeps what was already stored when a later write fails for lack of space', async () => {
  const lake = join(disk.root, 'lake');
  const temp = join(disk.root, 'tmp');
  await writeFileDurably(join(lake, 'checkpoint.json'), '{"shards":{}}\n', temp);
  await expect(writeFileDurably(join(lake, 'checkpoint.json'), 'x'.repeat(20_000), temp)).rejects.toMatchObject({ code: 'ENOSPC' });
  expect(await readFile(join(lake, 'checkpoint.json'), 'utf8')).toBe('{"shards":{}}\n');
  await writeFileDurably(join(lake, 'checkpoint.json'), '{"shards":{"a":"1"}}\n', temp);
  expect(await readFile(join(lake, 'checkpoint.json'), 'utf8')).toBe('{"shards":{"a":"1"}}\n');
});
