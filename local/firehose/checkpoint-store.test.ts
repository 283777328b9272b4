import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { checkpointStore, CorruptCheckpointError } from './checkpoint-store';
import { writeFileDurably } from './durable-file';
import { checkpointPath, tempFolder } from './state-folder';

let lakeDir: string;
beforeEach(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-checkpoint-'));
});
afterEach(async () => {
  await rm(lakeDir, { recursive: true, force: true });
});

const stream = { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/beers', createdAt: new Date('2026-01-01T00:00:00Z') };

it('saves and loads a checkpoint, leaving no temp file behind', async () => {
  const store = checkpointStore(lakeDir, 'raw');
  expect(await store.load(stream)).toBeUndefined();
  const checkpoint = { streamArn: stream.streamArn, streamCreatedAt: stream.createdAt.toISOString(), shards: { 'shardId-000000000000': '4960' } };
  await store.save(checkpoint);
  expect(await store.load(stream)).toEqual(checkpoint);
  expect(await readdir(tempFolder(lakeDir, 'raw'))).toEqual([]);
});

it('ignores the checkpoint of an earlier stream of the same name', async () => {
  const store = checkpointStore(lakeDir, 'raw');
  await store.save({ streamArn: stream.streamArn, streamCreatedAt: '2025-01-01T00:00:00.000Z', shards: { 'shardId-000000000000': '1' } });
  expect(await store.load(stream)).toBeUndefined();
});

it('refuses a corrupt checkpoint, naming the file and what it expected', async () => {
  await writeFileDurably(checkpointPath(lakeDir, 'raw'), '{"streamArn": 3}', tempFolder(lakeDir, 'raw'));
  await expect(checkpointStore(lakeDir, 'raw').load(stream)).rejects.toThrow(CorruptCheckpointError);
  await writeFile(checkpointPath(lakeDir, 'raw'), 'not json');
  await expect(checkpointStore(lakeDir, 'raw').load(stream)).rejects.toThrow(/raw\.json: not JSON/);
});

it('writes durably into folders it creates, from a relative path too', async () => {
  const relativeLake = relative(process.cwd(), lakeDir);
  await writeFileDurably(join(relativeLake, 'raw/2026/01/01/00/raw-1-x'), 'line\n', tempFolder(relativeLake, 'raw'));
  expect(await readFile(join(lakeDir, 'raw/2026/01/01/00/raw-1-x'), 'utf8')).toBe('line\n');
});
