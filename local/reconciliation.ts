/**
 * What a run put into the stream against what it finds in the lake: the numbers the demo
 * prints, and the checks that say nothing was lost or invented on the way.
 */
import { openDuckDbLake } from '../glue/duckdb';
import { join } from 'node:path';
import { parquetSuffix } from '../glue/layout';
import { beersView, cleanedBeerTable } from '../glue/schema';
import { tableFilesSelectSql } from '../glue/views';
import type { LakeDeliveryStats } from './lake-stack';
import { readLakeLines } from './lake-files';

export interface Reconciliation {
  /** Records the ingest handler put into the stream. */
  readonly put: number;
  /** Lines in the raw files, cleaned files and error files this run delivered. */
  readonly raw: number;
  /** Records the raw stream refused as lines no lake reader takes (in its error files). */
  readonly rawRefused: number;
  readonly cleaned: number;
  readonly failed: number;
  /** Records the transform answered Dropped (no line anywhere). */
  readonly dropped: number;
  /** Distinct beer ids in this run's raw and cleaned lines. */
  readonly distinctRaw: number;
  readonly distinctCleaned: number;
  /** `select count(*) from beers` over the whole lake folder. */
  readonly beers: number;
  readonly checks: {
    readonly putEqualsRawPlusRefused: boolean;
    readonly cleanedFailedDroppedEqualsPut: boolean;
    readonly beersEqualsDistinct: boolean;
  };
  readonly ok: boolean;
}

const idOf = (line: string): unknown => {
  try {
    return (JSON.parse(line) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
};

const distinctIds = (lines: readonly string[]) => new Set(lines.map(idOf).filter((id) => id !== undefined && id !== null)).size;

export async function reconcile(lakeDir: string, put: number, delivered: LakeDeliveryStats): Promise<Reconciliation> {
  const rawLines = await readLakeLines(lakeDir, delivered.raw.dataFiles);
  const failedLines = await readLakeLines(lakeDir, delivered.cleaned.errorFiles);
  const rawRefused = (await readLakeLines(lakeDir, delivered.raw.errorFiles)).length;
  const dropped = delivered.cleaned.recordsDropped;

  const lake = await openDuckDbLake(lakeDir);
  let beers: number;
  let cleaned: number;
  let distinctCleaned: number;
  try {
    const { rows } = await lake.query(`select count(*) as n from ${beersView.name}`);
    beers = Number(rows[0]?.n ?? 0);
    // This run's cleaned files, JSON lines or Parquet (record-format conversion on).
    const files = delivered.cleaned.dataFiles.map((key) => join(lakeDir, key));
    const split = { json: files.filter((f) => !f.endsWith(parquetSuffix)), parquet: files.filter((f) => f.endsWith(parquetSuffix)) };
    const counted = await lake.query(`select count(*) as n, count(distinct id) as ids from (${tableFilesSelectSql(cleanedBeerTable, split)}) as "delivered"`);
    cleaned = Number(counted.rows[0]?.n ?? 0);
    distinctCleaned = Number(counted.rows[0]?.ids ?? 0);
  } finally {
    await lake.close();
  }

  const checks = {
    putEqualsRawPlusRefused: put === rawLines.length + rawRefused,
    cleanedFailedDroppedEqualsPut: cleaned + failedLines.length + dropped === put,
    beersEqualsDistinct: beers === distinctCleaned,
  };
  return {
    put,
    raw: rawLines.length,
    rawRefused,
    cleaned,
    failed: failedLines.length,
    dropped,
    distinctRaw: distinctIds(rawLines),
    distinctCleaned,
    beers,
    checks,
    ok: Object.values(checks).every(Boolean),
  };
}
