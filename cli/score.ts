/** `brewlake score`: the promoted model predicts every beer; the answers become the `predictions` table. */
import { Command } from 'commander';
import { openDuckDbLake } from '../glue/duckdb';
import { scoreLake } from '../model/batch-scoring';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { brewlakeCommand } from '../glue/command-hint';
import { hintOf, jsonOption, lakeOption } from './options';

export const scoreCommand = new Command('score')
  .description('predict every beer in the lake with the promoted model and write the predictions table')
  .addOption(lakeOption())
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .addOption(jsonOption())
  .action(async (flags: { lake: string; registry?: string; json?: boolean }) => {
    const engine = await openDuckDbLake(flags.lake);
    try {
      const result = await scoreLake({ engine, registry: openRegistry(flags.registry ?? localRegistryDir(flags.lake)), lakeDir: flags.lake, hint: hintOf(flags) });
      console.log(`scored ${result.rows} beers with ${result.version} into ${result.key}`);
      // In-sample rows are fits of beers the model trained on: errors are analysed on the out-of-fold rows.
      console.log(`these are in-sample fits (kind = 'in_sample'), not accuracy; for error analysis use the cross-validation's out-of-fold rows:`);
      console.log(`  ${brewlakeCommand(`query "select id, ibu, avg(predicted_ibu) as predicted, avg(abs(predicted_ibu - ibu)) as error from predictions where kind = 'out_of_fold' and model_version = '${result.version}' group by id, ibu order by error desc limit 10"`, { lake: flags.lake })}`);
      if (flags.json) console.log(JSON.stringify(result));
    } finally {
      await engine.close();
    }
  });
