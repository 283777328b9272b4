/** `brewlake models` and `brewlake promote V`: the registry's versions, and moving its pointer. */
import { Command } from 'commander';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { jsonOption, lakeOption } from './options';

const registryOf = (flags: { lake: string; registry?: string }) => openRegistry(flags.registry ?? localRegistryDir(flags.lake));

export const modelsCommand = new Command('models')
  .description('list the model versions (* marks the promoted one)')
  .addOption(lakeOption())
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .addOption(jsonOption())
  .action(async (flags: { lake: string; registry?: string; json?: boolean }) => {
    const versions = await registryOf(flags).list();
    if (versions.length === 0) console.error('no model versions yet: run `npx brewlake train`');
    for (const v of versions) {
      const cv = v.lineage.cv?.mean;
      console.log(
        `${v.promoted ? '*' : ' '} ${v.version}  ${v.lineage.featureSet.padEnd(4)}  ${v.lineage.rows} rows  ` +
          (cv ? `R² ${cv.r2.toFixed(3)}  RMSE ${cv.rmse.toFixed(1)}  MAE ${cv.mae.toFixed(2)}  ` : '') +
          `${v.lineage.engine}  ${v.lineage.trainedAt}`,
      );
    }
    if (flags.json) console.log(JSON.stringify(versions.map((v) => ({ version: v.version, promoted: v.promoted, featureSet: v.lineage.featureSet, cv: v.lineage.cv }))));
  });

export const promoteCommand = new Command('promote')
  .description('make VERSION the served model (rollback: promote an older one)')
  .argument('<version>', 'a version from `npx brewlake models`')
  .addOption(lakeOption())
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .action(async (version: string, flags: { lake: string; registry?: string }) => {
    const registry = registryOf(flags);
    const before = await registry.promotedVersion();
    await registry.promote(version);
    console.log(`promoted ${version}${before && before !== version ? ` (was ${before})` : ''}`);
  });
