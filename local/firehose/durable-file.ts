/**
 * A file that is either wholly there or not there at all, even across a crash or power
 * loss: written to a temp name, fsynced, renamed into place, and its folder fsynced.
 * The delivery loop advances a checkpoint only after this resolves.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { firehoseObjectKey } from '../../glue/layout';
import { writeParquetObject, type RecordFormat } from './record-format-conversion';
import { tempFolder } from './state-folder';

export async function writeFileDurably(path: string, data: Uint8Array | string, tempDir: string): Promise<void> {
  await ensureFolderDurably(tempDir);
  const temp = join(tempDir, `${basename(path)}.${randomUUID()}.tmp`);
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(data);
    } finally {
      await file.close();
    }
  } catch (error) {
    // A part-written temp file (disk full) would hold on to the space the next write needs.
    await rm(temp, { force: true });
    throw error;
  }
  await publishFileDurably(temp, path);
}

/**
 * Makes a finished staging file (`temp`, a name readers skip) the file at `path`: fsynced,
 * renamed into place, its folder fsynced. On failure the staging file is removed.
 */
export async function publishFileDurably(temp: string, path: string): Promise<void> {
  try {
    const file = await open(temp, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    await ensureFolderDurably(dirname(path));
    await rename(temp, path);
  } catch (error) {
    // A part-written temp file (disk full) would hold on to the space the next write needs.
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

/** `mkdir -p`, then fsync every folder it created and the one holding the first, so the new entries survive a crash. */
export async function ensureFolderDurably(folder: string): Promise<void> {
  const made = await mkdir(folder, { recursive: true });
  if (!made) return;
  const firstCreated = resolve(made);
  const created: string[] = [];
  for (let f = resolve(folder); f.startsWith(firstCreated); f = dirname(f)) created.push(f);
  for (const f of [...created, dirname(firstCreated)]) await syncFolder(f);
}

export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Temp files left by a crash were never renamed, so never checkpointed: their records are re-read. */
export async function removeLeftoverTempFiles(tempDir: string): Promise<void> {
  await rm(tempDir, { recursive: true, force: true });
}

/**
 * Writes one delivered object into the lake, named as Firehose names it
 * (`<prefix>YYYY/MM/DD/HH/<stream>-1-…-<uuid>`), durably; answers its lake-relative key.
 */
export async function writeFirehoseObject(options: { lakeDir: string; deliveryStream: string; prefix: string; time: Date; data: Uint8Array | string; format?: RecordFormat | undefined }): Promise<string> {
  if (options.format?.kind === 'parquet') return writeParquetObject({ ...options, table: options.format.table });
  const key = firehoseObjectKey({ prefix: options.prefix, deliveryStream: options.deliveryStream, time: options.time, id: randomUUID() });
  await writeFileDurably(join(options.lakeDir, key), options.data, tempFolder(options.lakeDir, options.deliveryStream));
  return key;
}
