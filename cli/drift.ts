/** `brewlake drift`: are the beers the API is asked about still like the ones the model learned from? */
import { Command } from 'commander';
import { openDuckDbLake } from '../glue/duckdb';
import { defaultDriftThresholds, minDriftSample, type ColumnDrift } from '../model/drift';
import { checkDrift, parseWindow } from '../model/drift-check';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { failsWith, failureExitCodeOf } from './failure-exit-code';
import { hintOf, jsonOption, lakeOption } from './options';
import { formatTable, terminalLayout, type TableLayout } from './query-output';

/**
 * Exit codes a retrain can be gated on: only 1 means "the traffic moved". A lake that cannot
 * be read, a window too thin to judge or a missing model is 2, never 1, so a broken lake
 * never triggers a retrain.
 */
export const driftExitCodes = { noDrift: 0, drift: 1, cannotJudge: 2 } as const;

const positive = (option: string, value: string) => {
  const n = Number(value);
  if (!(n > 0)) throw new RangeError(`${option}: expected a positive number, got ${JSON.stringify(value)}`);
  return n;
};

const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
const statistic = (value: number | null) => (value === null ? '—' : value.toFixed(3));

/** One line per feature (and the prediction), fitted to the terminal as `query` prints a table. */
export function driftTable(columns: readonly ColumnDrift[], layout: Pick<TableLayout, 'width'> = {}): string[] {
  const rows = columns.map((c) => ({
    feature: c.name,
    n: c.n,
    missing: percent(c.missingShare),
    'train missing': percent(c.trainingMissingShare),
    PSI: statistic(c.psi),
    KS: statistic(c.ks),
    status: c.status === 'drift' ? 'DRIFT' : c.status,
  }));
  const columnsShown = ['feature', 'n', 'missing', 'train missing', 'PSI', 'KS', 'status'].map((name) => ({ name, type: name === 'n' ? 'INTEGER' : 'VARCHAR' }));
  return formatTable({ columns: columnsShown, rows }, { ...layout, alignRight: ['missing', 'train missing', 'PSI', 'KS'], showAllHint: '--json shows them all' }).trimEnd().split('\n');
}

export const driftCommand = failsWith(new Command('drift'), driftExitCodes.cannotJudge)
  .description(`compare the logged predictions of a window with the promoted model's training data; exits ${driftExitCodes.noDrift} no drift, ${driftExitCodes.drift} drift, ${driftExitCodes.cannotJudge} cannot judge`)
  .addOption(lakeOption())
  .option('--window <span>', 'how far back to look: 30m, 24h, 7d', '24h')
  .option('--psi-threshold <x>', 'population stability index above which a feature has drifted', String(defaultDriftThresholds.psi))
  .option('--ks-threshold <x>', 'Kolmogorov-Smirnov statistic above which a feature has drifted', String(defaultDriftThresholds.ks))
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .addOption(jsonOption())
  .addHelpText(
    'after',
    `\nA feature a request did not send is missing, not zero: its missing share is reported apart and its\ndistribution judged only on the rows that carry it. A column with fewer than ${minDriftSample} values is "not enough data"\n(no PSI, no KS); when no column can be judged the verdict is "not enough data", exit ${driftExitCodes.cannotJudge}.\nThe answers are judged per model that gave them (predicted_ibu (hops); predicted_ibu (base), the fallback\nfor beers sent without a hop bill), each against that model's out-of-fold answers on its training rows;\na model trained before brewlake stored them has "no reference" for its answers: they are not judged.`,
  )
  // A mistyped option is "cannot judge" too: exit 2, never the 1 that would start a retrain.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : failureExitCodeOf(driftCommand)))
  .action(async (flags: { lake: string; window: string; psiThreshold: string; ksThreshold: string; registry?: string; json?: boolean }) => {
    try {
      const thresholds = { psi: positive('--psi-threshold', flags.psiThreshold), ks: positive('--ks-threshold', flags.ksThreshold) };
      const windowMs = parseWindow(flags.window);
      // No table views: drift reads the prediction log's window hours and nothing else of the lake.
      const engine = await openDuckDbLake(flags.lake, { tables: [] });
      try {
        const report = await checkDrift({ engine, registry: openRegistry(flags.registry ?? localRegistryDir(flags.lake)), windowMs, thresholds, hint: hintOf(flags) });
        console.log(`model ${report.version}: ${report.rows} logged predictions since ${report.since} UTC`);
        const columns = [...report.features, ...report.predictions];
        for (const line of driftTable(columns, terminalLayout())) console.log(line);
        const unjudged = columns.filter((c) => c.status === 'not enough data').map((c) => c.name);
        if (report.verdict === 'drift') {
          console.log(`drift: ${columns.filter((c) => c.drifted).map((c) => c.name).join(', ')} above threshold (PSI > ${thresholds.psi} or KS > ${thresholds.ks})`);
        } else if (report.verdict === 'not enough data') {
          console.log(`not enough data: ${report.rows} logged predictions in the window, and no column has the ${minDriftSample} values a judgement needs`);
        } else {
          console.log('no drift above threshold');
        }
        if (report.verdict !== 'not enough data' && unjudged.length > 0) console.log(`not judged (fewer than ${minDriftSample} values): ${unjudged.join(', ')}`);
        const unreferenced = columns.filter((c) => c.status === 'no reference').map((c) => c.name);
        if (unreferenced.length > 0)
          console.log(`not judged (no reference: model ${report.version} holds no training answers of the model that gave them; a model trained before brewlake stored them holds none: retrain): ${unreferenced.join(', ')}`);
        if (flags.json) console.log(JSON.stringify(report));
        process.exitCode = report.verdict === 'drift' ? driftExitCodes.drift : report.verdict === 'no drift' ? driftExitCodes.noDrift : driftExitCodes.cannotJudge;
      } finally {
        await engine.close();
      }
    } catch (error) {
      console.error(`brewlake: drift cannot judge: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = failureExitCodeOf(driftCommand);
    }
  });
