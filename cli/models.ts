/** `brewlake models` and `brewlake promote V`: the registry's versions, and moving its pointer. */
import { Command } from 'commander';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { BrokenPointer } from '../model/registry';
import { modelListing, modelsAnswer, type ModelListing } from '../model/version-listing';
import { brewlakeCommand } from '../glue/command-hint';
import { hintOf, jsonOption, lakeOption } from './options';
import { formatTable, terminalLayout, type TableLayout } from './query-output';

const registryOf = (flags: { lake: string; registry?: string }) => openRegistry(flags.registry ?? localRegistryDir(flags.lake));

/**
 * The listing as a table, fitted to the terminal as `query` prints one: a header, then one
 * line per version, newest first (as `GET /models`).
 */
export function modelsTable(listing: ModelListing, layout: Pick<TableLayout, 'width'> = {}): string[] {
  const metric = (v: number | undefined, digits: number) => (v === undefined ? '' : v.toFixed(digits));
  const text = (name: string) => ({ name, type: 'VARCHAR' });
  const rows = listing.versions.map((v) => ({
    '': v.promoted ? '*' : '',
    version: v.version,
    feature_set: v.feature_set,
    rows: v.rows,
    'R²': metric(v.metrics.r2, 3),
    RMSE: metric(v.metrics.rmse, 1),
    MAE: metric(v.metrics.mae, 2),
    created_at: v.created_at,
  }));
  const columns = [text(''), text('version'), text('feature_set'), { name: 'rows', type: 'INTEGER' }, text('R²'), text('RMSE'), text('MAE'), text('created_at')];
  return formatTable({ columns, rows }, { ...layout, alignRight: ['R²', 'RMSE', 'MAE'], keepWhole: ['version'], showAllHint: '--json shows them all' }).trimEnd().split('\n');
}

export const modelsCommand = new Command('models')
  .description('list the model versions, newest first (* marks the promoted one); --json prints what GET /models answers')
  .addOption(lakeOption())
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .addOption(jsonOption())
  .action(async (flags: { lake: string; registry?: string; json?: boolean }) => {
    const registry = registryOf(flags);
    const pointerError = await registry.promotedVersion().then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof BrokenPointer)) throw error;
        return error.message;
      },
    );
    if (pointerError) console.error(`warning: ${pointerError}`);
    const listing = modelListing(await registry.list(), pointerError);
    if (listing.versions.length === 0) console.error(`no model versions yet: run \`${brewlakeCommand('train', hintOf(flags))}\``);
    else for (const line of modelsTable(listing, terminalLayout())) console.log(line);
    // GET /models' own shape; the CLI serves nothing, so `loaded` is what a server started now loads.
    if (flags.json) console.log(JSON.stringify(modelsAnswer(listing, listing.promoted)));
  });

export const promoteCommand = new Command('promote')
  .description('make VERSION the served model (rollback: promote an older one)')
  .argument('<version>', 'a version from `npx brewlake models`')
  .addOption(lakeOption())
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .action(async (version: string, flags: { lake: string; registry?: string }) => {
    const registry = registryOf(flags);
    // The rollback works from any pointer state: a broken pointer is what it repairs.
    const before = await registry.promotedVersion().catch((error: unknown) => {
      if (error instanceof BrokenPointer) return error;
      throw error;
    });
    await registry.promote(version);
    if (before instanceof BrokenPointer) console.log(`promoted ${version} (repaired the pointer: ${before.reason})`);
    else console.log(`promoted ${version}${before && before !== version ? ` (was ${before})` : ''}`);
  });
