import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { deliveryStreams } from '../../glue/layout';
import { cleanedBeerTable, predictionLogTable } from '../../glue/schema';
import { catalogue, cleanedRowOf } from '../../test/catalogue-lake';
import { createDirectPutWriter } from './direct-put';
import { recordFormatFromEnv } from './record-format-conversion';
import { tempFolder } from './state-folder';

let lake: string;
beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-convert-'));
});
afterEach(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe('record-format conversion (local Firehose)', () => {
  it('writes a delivery as one Parquet object at the Firehose key with a .parquet suffix, reading back the same rows as JSON lines would', async () => {
    const arrived = new Date('2024-06-01T12:00:00.000Z');
    const rows = catalogue.slice(0, 50).map((b) => cleanedRowOf(b, arrived));
    const asJson = await createDirectPutWriter({ lakeDir: lake, deliveryStream: { ...deliveryStreams.cleaned, name: 'as-json' } });
    const asParquet = await createDirectPutWriter({ lakeDir: lake, deliveryStream: { ...deliveryStreams.cleaned, format: { kind: 'parquet', table: cleanedBeerTable } } });
    const lines = rows.map((r) => Buffer.from(`${JSON.stringify(r)}\n`));
    asParquet.put(lines);
    const { dataFiles } = await asParquet.stop();
    expect(dataFiles).toHaveLength(1);
    expect(dataFiles[0]).toMatch(/^cleaned\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/cleaned-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.parquet$/);
    // Nothing staged is left behind.
    expect(await readdir(tempFolder(lake, deliveryStreams.cleaned.name))).toEqual([]);

    const engine = await openDuckDbLake(lake);
    try {
      const fromParquet = await engine.query('select * from cleaned order by id');
      expect(fromParquet.rows).toEqual([...rows].sort((a, b) => a.id - b.id));
      // A JSON delivery of the same records beside it: the views read both formats alike.
      asJson.put(lines);
      await asJson.stop();
      const both = await engine.query('select count(*) as n, count(distinct id) as ids from cleaned');
      expect(both.rows[0]).toEqual({ n: 100, ids: 50 });
      expect((await engine.query('select count(*) as n from beers')).rows[0]?.n).toBe(50);
    } finally {
      await engine.close();
    }
  });
});

describe('recordFormatFromEnv', () => {
  it('is JSON unless set, Parquet through the table when set, and names the variable otherwise', () => {
    expect(recordFormatFromEnv(cleanedBeerTable, {})).toEqual({ kind: 'json' });
    expect(recordFormatFromEnv(cleanedBeerTable, { BREWLAKE_CLEANED_FORMAT: 'parquet' })).toEqual({ kind: 'parquet', table: cleanedBeerTable });
    expect(recordFormatFromEnv(predictionLogTable, { BREWLAKE_PREDICTION_LOG_FORMAT: 'parquet' })).toEqual({ kind: 'parquet', table: predictionLogTable });
    expect(() => recordFormatFromEnv(predictionLogTable, { BREWLAKE_PREDICTION_LOG_FORMAT: 'orc' })).toThrow(/BREWLAKE_PREDICTION_LOG_FORMAT: expected json or parquet, got "orc"/);
  });
});
