/** `brewlake train`: cross-validate, train, register and (unless worse) promote the IBU model. */
import { Command, Option } from 'commander';
import { dirname, join } from 'node:path';
import { openQueryEngine } from '../glue/open-query-engine';
import { evaluationFoldsPath, readFoldsFile, readReferenceResults, type ReferenceResult } from '../model/evaluate';
import { featureSets, type FeatureSet } from '../model/features';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { runTraining, type TrainingRunResult } from '../model/training-run';
import { engineConfigFromFlags, engineOptions, type EngineFlags } from './engine-options';
import { hintOf, jsonOption, lakeOption } from './options';

interface TrainFlags extends EngineFlags {
  folds?: string;
  features: 'base' | 'hops' | 'all';
  registry?: string;
  force?: boolean;
  json?: boolean;
}

const f = (x: number, d: number) => x.toFixed(d);

export function printTrainingTable(result: TrainingRunResult, reference: readonly ReferenceResult[]): string {
  const lines = [`scored on ${result.plan}, ${result.versions[0]?.cv.summary.folds ?? 0} folds, ${result.rows} beers`, ''];
  const header = ['model', 'features', 'R²', 'RMSE', 'MAE', 'R² w/o 137,185', 'RMSE w/o 137,185'];
  const rows = result.versions.map((v) => [
    `brewlake ${v.version}`,
    v.featureSet,
    `${f(v.cv.summary.mean.r2, 3)} ± ${f(v.cv.summary.std.r2, 3)}`,
    `${f(v.cv.summary.mean.rmse, 1)} ± ${f(v.cv.summary.std.rmse, 1)}`,
    `${f(v.cv.summary.mean.mae, 2)} ± ${f(v.cv.summary.std.mae, 2)}`,
    `${f(v.cv.withoutOutliers.mean.r2, 3)} ± ${f(v.cv.withoutOutliers.std.r2, 3)}`,
    `${f(v.cv.withoutOutliers.mean.rmse, 1)} ± ${f(v.cv.withoutOutliers.std.rmse, 1)}`,
  ]);
  for (const r of reference) rows.push([`reference: ${r.model}`, r.features, f(r.r2, 3), '', f(r.mae, 2), f(r.r2WithoutOutliers, 3), f(r.rmseWithoutOutliers, 1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [...lines, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Where the registry is. An empty `--registry` (a deploy script's unset variable) is refused:
 * falling back to a folder would put the model in `./versions/` of whatever the current folder is.
 */
export function registryLocation(flags: Pick<TrainFlags, 'registry' | 'lake'>): string {
  if (flags.registry === undefined) return localRegistryDir(flags.lake);
  if (flags.registry.trim() === '') throw new Error('--registry is empty: give a folder or s3://bucket/prefix/, or leave the option out for <lake>/_models');
  return flags.registry;
}

export const trainCommand = new Command('train')
  .description('train the IBU model on the lake, score it on fixed folds, register it, promote it unless worse')
  .addOption(lakeOption())
  .option('--folds <file|shuffles>', "evaluation folds (default: the 25 shipped in model/eval/folds.json); 'shuffles': 5x5 seeded shuffles of the lake's own beers")
  .addOption(new Option('--features <set>', 'feature set(s) to train').choices(['base', 'hops', 'all']).default('all'))
  .option('--registry <location>', 'model registry: a folder or s3://bucket/prefix (default: <lake>/_models)')
  .option('--force', 'promote even when worse than the promoted model')
  .addOption(jsonOption());
for (const option of engineOptions()) trainCommand.addOption(option);

trainCommand.action(async (flags: TrainFlags) => {
  const shuffles = flags.folds === 'shuffles';
  const foldsPath = flags.folds ?? evaluationFoldsPath;
  const plan = shuffles ? 'shuffles' : readFoldsFile(foldsPath);
  // Reference results belong to their folds: none beside shuffles of our own.
  const reference = shuffles ? [] : readReferenceResults(join(dirname(foldsPath), 'README.md'));
  const location = registryLocation(flags);
  const engine = await openQueryEngine(engineConfigFromFlags(flags));
  try {
    const registry = openRegistry(location, flags.region ? { region: flags.region } : {});
    const sets: FeatureSet[] = flags.features === 'all' ? [...featureSets] : [flags.features];
    let lastFold = '';
    const result = await runTraining({
      engine,
      registry,
      featureSets: sets,
      plan,
      reference,
      force: flags.force ?? false,
      ...(engine.kind === 'duckdb' ? { lakeDir: flags.lake, hint: hintOf(flags) } : {}),
      progress: (line) => {
        // Fold counts overwrite one line on a terminal; everything else is its own line.
        const isFold = line.startsWith('cross-validating');
        // Without a terminal to overwrite the line on, only a feature set's last fold is said.
        const fold = /fold (\d+)\/(\d+)$/.exec(line);
        if (isFold && !process.stderr.isTTY && fold && fold[1] !== fold[2]) return;
        // Every set is cross-validated before any is stored: a new set's count starts a new line.
        const newSet = lastFold !== '' && lastFold.split(':')[0] !== line.split(':')[0];
        if (isFold && process.stderr.isTTY) process.stderr.write(`${newSet ? '\n' : ''}\r${line}`);
        else process.stderr.write(`${lastFold && !isFold && process.stderr.isTTY ? '\n' : ''}${line}\n`);
        lastFold = isFold ? line : '';
      },
    });
    if (lastFold && process.stderr.isTTY) process.stderr.write('\n');
    console.log(printTrainingTable(result, reference));
    console.log('');
    for (const v of result.versions) console.log(`report ${v.featureSet}: ${v.report}`);
    console.log(`${result.promotion.promoted ? 'promoted' : 'not promoted'}: ${result.promotion.version} (${result.promotion.reason})`);
    if (flags.json) {
      const summary = Object.fromEntries(
        result.versions.map((v) => [v.featureSet, { version: v.version, r2: v.cv.summary.mean.r2, rmse: v.cv.summary.mean.rmse, mae: v.cv.summary.mean.mae, rmse_without_137_185: v.cv.withoutOutliers.mean.rmse }]),
      );
      console.log(JSON.stringify({ rows: result.rows, plan: result.plan, ...summary, promotion: result.promotion }));
    }
  } finally {
    await engine.close();
  }
});
