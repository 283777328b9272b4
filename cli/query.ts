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
}

export const queryCommand = new Command('query')
  .description('run SQL on the lake: tables raw, cleaned, predictions, prediction_log and the de-duplicated beers view')
  .argument('[sql]', 'the statement to run')
  .addOption(new Option('--format <format>', 'output format').choices(outputFormats).default('table'))
  .option('--saved <name>', 'run a saved query from glue/queries/')
  .option('--list', 'list the saved queries')
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

  const engine = await openQueryEngine(engineConfigFromFlags(flags));
  try {
    const result = await engine.query(sql);
    process.stdout.write(formatResult(result, flags.format, terminalLayout()));
    if (flags.format === 'table') process.stderr.write(`(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})\n`);
  } finally {
    await engine.close();
  }
});
