/**
 * Firehose's record-format conversion, locally: a delivery's JSON records written as one
 * Parquet object through the table's schema (glue/schema, as Firehose reads the Glue
 * table), at the same key Firehose gives it: `<prefix>YYYY/MM/DD/HH/<stream>-1-…-<id>.parquet`.
 * Snappy-compressed, as the stacks configure Firehose's Parquet serializer.
 *
 * A record the schema cannot hold fails the delivery (the loop keeps the records and
 * retries), where Firehose would divert it to `errors/format-conversion-failed/`: the
 * records brewlake delivers are the transform's and the API's own, which always fit.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firehoseObjectKey, parquetSuffix } from '../../glue/layout';
import { openParquetWriter, type ParquetWriter } from '../../glue/parquet-files';
import type { TableDefinition } from '../../glue/schema';
import { isZoneFormat, zoneFormatEnv, zoneFormatExpected, type ConvertibleZone } from '../../glue/zone-formats';
import { ensureFolderDurably, publishFileDurably } from './durable-file';
import { tempFolder } from './state-folder';

/** The delivery stream setting: JSON lines as they come (Firehose's default), or Parquet. */
export type RecordFormat = { readonly kind: 'json' } | { readonly kind: 'parquet'; readonly table: TableDefinition };

/**
 * The format `table`'s zone is delivered in, from the stacks' own setting for that zone
 * (glue/zone-formats.ts): locally JSON lines unless set, where the stacks default to Parquet.
 * Anything but json or parquet names the variable.
 */
export function recordFormatFromEnv(table: TableDefinition & { name: ConvertibleZone }, env: NodeJS.ProcessEnv = process.env): RecordFormat {
  const name = zoneFormatEnv[table.name];
  // Blank counts as unset, as in stacks/config.ts.
  const value = env[name]?.trim() || 'json';
  if (!isZoneFormat(value)) throw new RangeError(`${name}: ${zoneFormatExpected}, got ${JSON.stringify(value)}`);
  return value === 'parquet' ? { kind: 'parquet', table } : { kind: 'json' };
}

// One writer per process, opened on first use: conversion is a delivery's last step, and
// every stream of the process shares it (DuckDB runs one COPY at a time on it).
let writer: Promise<ParquetWriter> | undefined;

/** Writes one delivery's JSON lines as a Parquet object in the lake; answers its lake-relative key. */
export async function writeParquetObject(options: { lakeDir: string; deliveryStream: string; prefix: string; time: Date; data: Uint8Array | string; table: TableDefinition }): Promise<string> {
  const key = `${firehoseObjectKey({ prefix: options.prefix, deliveryStream: options.deliveryStream, time: options.time, id: randomUUID() })}${parquetSuffix}`;
  const staging = tempFolder(options.lakeDir, options.deliveryStream);
  await ensureFolderDurably(staging);
  const id = randomUUID();
  const json = join(staging, `${id}.json.tmp`);
  const parquet = join(staging, `${id}.parquet.tmp`);
  try {
    await writeFile(json, options.data);
    writer ??= openParquetWriter();
    await (await writer).write(options.table, { json: [json], parquet: [] }, parquet, 'snappy');
    await publishFileDurably(parquet, join(options.lakeDir, key));
  } finally {
    await rm(json, { force: true });
    await rm(parquet, { force: true });
  }
  return key;
}
