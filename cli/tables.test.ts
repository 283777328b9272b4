import { GetTableCommand, GetTablesCommand, type Table } from '@aws-sdk/client-glue';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGlueTableNamed, describeGlueTables, type GlueCatalogClient } from '../glue/glue-catalog';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { catalogFileName } from '../glue/lake-folder';
import { beersView, cleanedBeerTable, lakeTables } from '../glue/schema';
import { beersViewSql } from '../glue/views';
import { athenaViewInput, glueTableInput } from '../stacks/glue-tables';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { openDuckDbSession } from '../test/duckdb-cli';
import { runBrewlake } from '../test/run-brewlake';

let lake: string;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-cli-tables-'));
  await writeCatalogueLake(lake);
});
afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

describe('brewlake tables (DuckDB, the lake’s catalog file)', () => {
  it('lists every table and the beers view with its description', async () => {
    const { code, stdout } = await runBrewlake(['tables', '--format', 'json', '--lake', lake]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { table: string; kind: string; columns: number; description: string }[];
    expect(rows).toEqual([
      ...lakeTables.map((t) => ({ table: t.name, kind: 'table', columns: t.columns.length, description: t.description })),
      { table: 'beers', kind: 'view', columns: cleanedBeerTable.columns.length, description: beersView.description },
    ]);
  });

  it("TABLE shows its columns, DuckDB's types and glue/schema's descriptions", async () => {
    const { code, stdout } = await runBrewlake(['tables', 'cleaned', '--format', 'json', '--lake', lake]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { column: string; type: string; description: string }[];
    expect(rows.map(({ column, description }) => ({ column, description }))).toEqual(cleanedBeerTable.columns.map((c) => ({ column: c.name, description: c.comment })));
    expect(rows.find((r) => r.column === 'arrived_at')?.type).toBe('TIMESTAMP');
  });

  it('TABLE in any case is the same table: BEERS, Cleaned', async () => {
    for (const [asked, table] of [['BEERS', 'beers'], ['Cleaned', 'cleaned']] as const) {
      const { code, stdout, stderr } = await runBrewlake(['tables', asked, '--format', 'json', '--lake', lake]);
      expect(code, stderr).toBe(0);
      expect(stdout).toBe((await runBrewlake(['tables', table, '--format', 'json', '--lake', lake])).stdout);
    }
  });

  it("answers while DuckDB's CLI holds the lake's catalog file open (and its lock), as docs/query.md suggests", async () => {
    await buildLakeCatalog(lake);
    const session = await openDuckDbSession(join(basename(lake), catalogFileName), dirname(lake));
    try {
      const { code, stdout, stderr } = await runBrewlake(['tables', 'beers', '--format', 'csv', '--lake', lake]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.split('\r\n')[1]).toMatch(/^id,INTEGER,/);
    } finally {
      await session.close();
    }
  });

  it('an unknown TABLE is an error naming it and the tables there are', async () => {
    const { code, stdout, stderr } = await runBrewlake(['tables', 'beer', '--lake', lake]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('brewlake: no table or view named beer: the lake has raw, cleaned, predictions, prediction_log, beers\n');
  });
});

/** A Glue client answering from the tables the stacks declare, as Glue returns them (PascalCase), two tables a page. */
function glueFromStacks(): GlueCatalogClient & { calls: string[] } {
  const pascal = (c: { name: string; type: string; comment?: string }) => ({ Name: c.name, Type: c.type, Comment: c.comment });
  const tables: Table[] = [
    ...lakeTables.map((t) => {
      const input = glueTableInput(t, 'bucket', 'json');
      return { Name: input.name, Description: input.description, TableType: input.tableType, StorageDescriptor: { Columns: input.storageDescriptor.columns.map(pascal) }, PartitionKeys: input.partitionKeys.map(pascal) } as Table;
    }),
    (() => {
      const input = athenaViewInput({ ...beersView, sql: beersViewSql, columns: beersView.source.columns }, 'db');
      return { Name: input.name, Description: input.description, TableType: input.tableType, StorageDescriptor: { Columns: input.storageDescriptor.columns.map(pascal) } } as Table;
    })(),
  ];
  const calls: string[] = [];
  return {
    calls,
    async send(command) {
      if (command instanceof GetTablesCommand) {
        calls.push(`GetTables ${command.input.NextToken ?? ''}`.trim());
        const start = Number(command.input.NextToken ?? 0);
        return { TableList: tables.slice(start, start + 2), ...(start + 2 < tables.length ? { NextToken: String(start + 2) } : {}) };
      }
      calls.push(`GetTable ${command.input.Name}`);
      const table = tables.find((t) => t.Name === command.input.Name);
      if (!table) throw Object.assign(new Error('Entity Not Found'), { name: 'EntityNotFoundException' });
      return { Table: table };
    },
  };
}

describe('brewlake tables --engine athena (the Glue Data Catalog)', () => {
  it('lists every table the stacks declare, across GetTables pages, with the schema descriptions', async () => {
    const glue = glueFromStacks();
    const tables = await describeGlueTables(glue, 'db');
    expect(glue.calls).toEqual(['GetTables', 'GetTables 2', 'GetTables 4']);
    expect(tables.map((t) => [t.name, t.kind, t.description])).toEqual([
      ...lakeTables.map((t) => [t.name, 'table', t.description]),
      ['beers', 'view', beersView.description],
    ]);
  });

  it("GetTable gives one table's columns with the schema's comments (as the Athena console shows them), partition key last", async () => {
    const cleaned = await describeGlueTableNamed(glueFromStacks(), 'db', 'cleaned');
    expect(cleaned.columns.map((c) => [c.name, c.description])).toEqual([...cleanedBeerTable.columns.map((c) => [c.name, c.comment]), ['dt', 'delivery hour, yyyy/MM/dd/HH (UTC)']]);
    expect(cleaned.columns.find((c) => c.name === 'arrived_at')?.type).toBe('timestamp');
  });

  it('a table named in any case is found (Glue stores lower case)', async () => {
    const glue = glueFromStacks();
    expect((await describeGlueTableNamed(glue, 'db', 'BEERS')).name).toBe('beers');
    expect(glue.calls).toEqual(['GetTable beers']);
  });

  it('an unknown table names it and the ones Glue has', async () => {
    await expect(describeGlueTableNamed(glueFromStacks(), 'db', 'beer')).rejects.toThrow('no table or view named beer: the lake has raw, cleaned, predictions, prediction_log, beers');
  });
});
