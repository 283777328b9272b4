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
import { ensureFolderDurably, publishFileDurably } from './durable-file';
import { tempFolder } from './state-folder';

/** The delivery stream setting: JSON lines as they come (Firehose's default), or Parquet. */
export type RecordFormat = { readonly kind: 'json' } | { readonly kind: 'parquet'; readonly table: TableDefinition };

/**
 * The local zones' format settings, environment variables like the stacks' settings (the
 * cleaned zone's is the stacks' own `BREWLAKE_CLEANED_FORMAT`). Locally JSON lines unless set.
 */
export const recordFormatEnv = { cleaned: 'BREWLAKE_CLEANED_FORMAT', prediction_log: 'BREWLAKE_PREDICTION_LOG_FORMAT' } as const;

/** The format `table`'s zone is delivered in, from its environment variable; anything but json or parquet names the variable. */
export function recordFormatFromEnv(table: TableDefinition & { name: keyof typeof recordFormatEnv }, env: NodeJS.ProcessEnv = process.env): RecordFormat {
  const name = recordFormatEnv[table.name];
  const value = env[name] ?? 'json';
  if (value === 'json') return { kind: 'json' };
  if (value === 'parquet') return { kind: 'parquet', table };
  throw new RangeError(`${name}: expected json or parquet, got ${JSON.stringify(value)}`);
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
