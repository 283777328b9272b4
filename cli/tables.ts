/**
 * `brewlake tables [TABLE] [--engine athena]`: what there is to query. Without TABLE, the
 * tables and views with their descriptions; with TABLE, its columns, types and descriptions.
 * From the lake's DuckDB catalog file locally, from the Glue Data Catalog in AWS.
 */
import { Command, Option } from 'commander';
import type { QueryResult } from '../glue/query-engine';
import { pickTable, type TableDescription } from '../glue/table-descriptions';
import { engineOptions, type EngineFlags } from './engine-options';
import { lakeOption } from './options';
import { formatResult, outputFormats, terminalLayout, type OutputFormat } from './query-output';

interface TablesFlags extends Pick<EngineFlags, 'engine' | 'lake' | 'database' | 'region'> {
  format: OutputFormat;
}

const text = (name: string) => ({ name, type: 'VARCHAR' });

export function tableListResult(tables: readonly TableDescription[]): QueryResult {
  return {
    columns: [text('table'), text('kind'), { name: 'columns', type: 'INTEGER' }, text('description')],
    rows: tables.map((t) => ({ table: t.name, kind: t.kind, columns: t.columns.length, description: t.description })),
  };
}

export function tableColumnsResult(table: TableDescription): QueryResult {
  return {
    columns: [text('column'), text('type'), text('description')],
    rows: table.columns.map((c) => ({ column: c.name, type: c.type, description: c.description })),
  };
}

export const tablesCommand = new Command('tables')
  .description('list the tables and views to query, or one table\'s columns, types and descriptions')
  .argument('[table]', 'a table or view: show its columns')
  .addOption(new Option('--format <format>', 'output format').choices(outputFormats).default('table'))
  .addOption(lakeOption());
for (const option of engineOptions().filter((o) => ['--engine', '--database', '--region'].includes(o.long ?? ''))) tablesCommand.addOption(option);

tablesCommand.action(async (name: string | undefined, flags: TablesFlags) => {
  let result: QueryResult;
  if (flags.engine === 'athena') {
    if (!flags.database) throw new Error('--engine athena needs --database or BREWLAKE_GLUE_DATABASE');
    const { describeGlueTableNamed, describeGlueTables, glueClient } = await import('../glue/glue-catalog');
    const client = glueClient(flags.region);
    result = name === undefined ? tableListResult(await describeGlueTables(client, flags.database)) : tableColumnsResult(await describeGlueTableNamed(client, flags.database, name));
  } else {
    const tables = await (await import('../glue/lake-catalog')).describeLakeTables(flags.lake);
    result = name === undefined ? tableListResult(tables) : tableColumnsResult(pickTable(tables, name));
  }
  process.stdout.write(formatResult(result, flags.format, terminalLayout()));
});
