/**
 * Test support for every lake writer's property tests: text and bytes of the kinds that
 * have poisoned tables (lone UTF-16 surrogates, control characters, overlong and other
 * invalid UTF-8), and DuckDB reading what a writer wrote, with the table's declared columns,
 * as the lake's views do.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { tableFilesSelectSql } from './views';
import type { TableDefinition } from './schema';

const codeUnit = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1f }) },
    { weight: 1, arbitrary: fc.constantFrom(0x22, 0x5c, 0x7f, 0x85, 0xa0, 0x2028, 0x2029, 0xfeff, 0xfffd, 0xfffe) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  )
  .map((c) => String.fromCharCode(c));

/** Strings of any UTF-16 code units, lone surrogates and control characters often among them. */
export const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: codeUnit, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udc00', 'a\ud83d', '\ude00b', '\ud83d\ude00', '\u0000', '\u0001\u001f', 'ok') },
);

/** Byte sequences no valid UTF-8 holds: overlong forms, encoded surrogates, stray continuation and lead bytes. */
export const invalidUtf8 = fc.constantFrom(
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0x80],
  [0xff],
  [0xe2, 0x82],
);

/** `bytes` with `insert` spliced in at a position (fraction of the length). */
export const spliceBytes = (bytes: Uint8Array, insert: readonly number[], at: number): Buffer => {
  const i = Math.floor(at * (bytes.length + 1));
  return Buffer.concat([bytes.subarray(0, i), Buffer.from(insert), bytes.subarray(i)]);
};

let connection: Promise<DuckDBConnection> | undefined;
let folder: Promise<string> | undefined;
let fileNumber = 0;

/**
 * Reads `content` as one file of `table` the way the lake's view does; resolves with the
 * rows read, rejects with DuckDB's error when it refuses the file.
 */
export async function duckDbReads(table: TableDefinition, content: Uint8Array | string): Promise<Record<string, unknown>[]> {
  connection ??= DuckDBInstance.create(':memory:').then((db) => db.connect());
  folder ??= mkdtemp(join(tmpdir(), 'brewlake-duckdb-reads-'));
  const file = join(await folder, `${table.name}-${fileNumber++}.json`);
  await writeFile(file, content);
  try {
    const reader = await (await connection).runAndReadAll(tableFilesSelectSql(table, { json: [file], parquet: [] }));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    await rm(file, { force: true });
  }
}
