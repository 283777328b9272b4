/**
 * `brewlake query "SQL"` / `--saved NAME` / `--list`: runs SQL on the lake (DuckDB over the
 * local folder by default, Athena with `--engine athena`) and prints the rows.
 */
import { Command, Option } from 'commander';
import { openQueryEngine } from '../glue/open-query-engine';
import { savedQueries, savedQuery } from '../glue/saved-queries';
import { engineConfigFromFlags, engineOptions, type EngineFlags } from './engine-options';
import { lakeOption } from './options';
import { formatResult, outputFormats, terminalLayout, type OutputFormat } from './query-output';

interface QueryFlags extends EngineFlags {
  format: OutputFormat;
  saved?: string;
  list?: boolean;
  allowLocalFiles?: boolean;
}

export const queryCommand = new Command('query')
  .description('run SQL on the lake: tables raw, cleaned, predictions, prediction_log and the de-duplicated beers view')
  .argument('[sql]', 'the statement to run')
  .addOption(new Option('--format <format>', 'output format').choices(outputFormats).default('table'))
  .option('--saved <name>', 'run a saved query from glue/queries/')
  .option('--list', 'list the saved queries')
  .option('--allow-local-files', "let the SQL read files outside the lake (read_csv('beers.csv')); without it DuckDB reads only the lake's folder")
  .addOption(lakeOption());
for (const option of engineOptions()) queryCommand.addOption(option);

queryCommand.action(async (sqlArgument: string | undefined, flags: QueryFlags) => {
  if (flags.list) {
    const rows = savedQueries().map((q) => ({ name: q.name, description: q.description }));
    const result = { columns: [{ name: 'name', type: 'VARCHAR' }, { name: 'description', type: 'VARCHAR' }], rows };
    process.stdout.write(formatResult(result, flags.format, terminalLayout()));
    return;
  }
  if (sqlArgument !== undefined && flags.saved !== undefined) throw new Error('give either SQL or --saved NAME, not both');
  const sql = flags.saved !== undefined ? savedQuery(flags.saved).sql : sqlArgument;
  if (sql === undefined || sql.trim() === '') throw new Error('give the SQL to run, --saved NAME, or --list');

  const config = engineConfigFromFlags(flags);
  const engine = await openQueryEngine(config.kind === 'duckdb' && flags.allowLocalFiles ? { ...config, allowLocalFiles: true } : config);
  try {
    const result = await engine.query(sql);
    process.stdout.write(formatResult(result, flags.format, terminalLayout()));
    if (flags.format === 'table') process.stderr.write(`(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})\n`);
  } finally {
    await engine.close();
  }
});
