/**
 * Writing a table's rows as Parquet with DuckDB: the columns and types of glue/schema (the
 * same relation the views read, glue/views), so a Parquet file brewlake writes reads back
 * exactly as the JSON lines it came from. Used by the local delivery loop's record-format
 * conversion (as Firehose converts through the Glue table) and by compaction.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { TableFiles } from './lake-files';
import type { TableDefinition } from './schema';
import { sqlString, tableFilesSelectSql } from './views';

/** Snappy is what Firehose's conversion writes (`parquetSerDe: SNAPPY`); zstd packs a closed hour tighter. */
export type ParquetCompression = 'snappy' | 'zstd';

export interface ParquetWriter {
  /** Writes the rows of `files` to `path` (replacing it); answers the number of rows written. */
  write(table: TableDefinition, files: TableFiles, path: string, compression: ParquetCompression): Promise<number>;
  close(): void;
}

/**
 * One in-memory DuckDB for writing. `threads` defaults to 1: a writer runs beside the
 * lake's own work (a delivery loop, `serve`) and must not take every core.
 */
export async function openParquetWriter(options: { threads?: number } = {}): Promise<ParquetWriter> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(options.threads ?? 1) });
  const connection = await instance.connect();
  let queue: Promise<unknown> = Promise.resolve();
  return {
    write(table, files, path, compression) {
      const sql = `copy (\n${tableFilesSelectSql(table, files)}\n) to ${sqlString(path)} (format parquet, compression ${compression})`;
      const result = queue.then(async () => {
        const reader = await connection.runAndReadAll(sql);
        return Number(reader.getRows()[0]?.[0] ?? 0);
      });
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
