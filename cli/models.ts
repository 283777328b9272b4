/** `brewlake models` and `brewlake promote V`: the registry's versions, and moving its pointer. */
import { Command } from 'commander';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { BrokenPointer } from '../model/registry';
import { modelListing, modelsAnswer, type ModelListing } from '../model/version-listing';
import { brewlakeCommand } from '../glue/command-hint';
import { hintOf, jsonOption, lakeOption } from './options';

const registryOf = (flags: { lake: string; registry?: string }) => openRegistry(flags.registry ?? localRegistryDir(flags.lake));

/** The listing as a table: a header, then one line per version, newest first (as `GET /models`). */
export function modelsTable(listing: ModelListing): string[] {
  const header = ['', 'version', 'feature_set', 'rows', 'R²', 'RMSE', 'MAE', 'created_at'];
  const metric = (v: number | undefined, digits: number) => (v === undefined ? '' : v.toFixed(digits));
  const rows = listing.versions.map((v) => [
    v.promoted ? '*' : '',
    v.version,
    v.feature_set,
    String(v.rows),
    metric(v.metrics.r2, 3),
    metric(v.metrics.rmse, 1),
    metric(v.metrics.mae, 2),
    v.created_at,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 3 && i <= 6;
  const line = (cells: string[]) => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
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
    else for (const line of modelsTable(listing)) console.log(line);
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
