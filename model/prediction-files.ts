/**
 * The predictions table's files: one per model version and kind, at a fixed key, so a
 * re-run replaces its version's rows. The new file is staged under a dot-name (which the
 * lake's readers skip) and renamed over the old one: a reader lists and reads either the
 * old rows or the new, never none and never both.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { predictionTable, type PredictionKind, type PredictionRow } from '../glue/schema';

/** `predictions/<version>/<kind>.json`, relative to the lake. */
export const predictionFileKey = (version: string, kind: PredictionKind) => `${predictionTable.prefix}${version}/${kind}.json`;

export async function replacePredictionRows(lakeDir: string, version: string, kind: PredictionKind, rows: readonly PredictionRow[]): Promise<string> {
  if (rows.some((r) => r.model_version !== version || r.kind !== kind)) throw new RangeError(`replacePredictionRows: every row must be ${version}'s ${kind}`);
  const key = predictionFileKey(version, kind);
  const path = join(lakeDir, key);
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return key;
}
