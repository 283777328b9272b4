/** `brewlake score`: the promoted model predicts every beer; the answers become the `predictions` table. */
import { Command } from 'commander';
import { openDuckDbLake } from '../glue/duckdb';
import { scoreLake } from '../model/batch-scoring';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { jsonOption, lakeOption } from './options';

export const scoreCommand = new Command('score')
  .description('predict every beer in the lake with the promoted model and write the predictions table')
  .addOption(lakeOption())
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .addOption(jsonOption())
  .action(async (flags: { lake: string; registry?: string; json?: boolean }) => {
    const engine = await openDuckDbLake(flags.lake);
    try {
      const result = await scoreLake({ engine, registry: openRegistry(flags.registry ?? localRegistryDir(flags.lake)), lakeDir: flags.lake });
      console.log(`scored ${result.rows} beers with ${result.version} into ${result.key}`);
      console.log('query them: npx brewlake query "select * from predictions order by abs(predicted_ibu - ibu) desc limit 10"');
      if (flags.json) console.log(JSON.stringify(result));
    } finally {
      await engine.close();
    }
  });
