/** `brewlake drift`: are the beers the API is asked about still like the ones the model learned from? */
import { Command, InvalidArgumentError } from 'commander';
import { openDuckDbLake } from '../glue/duckdb';
import { defaultDriftThresholds } from '../model/drift';
import { checkDrift, parseWindow } from '../model/drift-check';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { jsonOption, lakeOption } from './options';

const positive = (value: string) => {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
};

export const driftCommand = new Command('drift')
  .description('compare the logged predictions of a window with the promoted model\'s training data; exits 1 on drift')
  .addOption(lakeOption())
  .option('--window <span>', 'how far back to look: 30m, 24h, 7d', '24h')
  .option('--psi-threshold <x>', 'population stability index above which a feature has drifted', positive, defaultDriftThresholds.psi)
  .option('--ks-threshold <x>', 'Kolmogorov-Smirnov statistic above which a feature has drifted', positive, defaultDriftThresholds.ks)
  .option('--registry <location>', 'a folder or s3://bucket/prefix (default: <lake>/_models)')
  .addOption(jsonOption())
  .action(async (flags: { lake: string; window: string; psiThreshold: number; ksThreshold: number; registry?: string; json?: boolean }) => {
    const windowMs = parseWindow(flags.window);
    // No table views: drift reads the prediction log's window hours and nothing else of the lake.
    const engine = await openDuckDbLake(flags.lake, { tables: [] });
    try {
      const report = await checkDrift({
        engine,
        registry: openRegistry(flags.registry ?? localRegistryDir(flags.lake)),
        windowMs,
        thresholds: { psi: flags.psiThreshold, ks: flags.ksThreshold },
      });
      console.log(`model ${report.version}: ${report.rows} logged predictions since ${report.since} UTC`);
      const rows = [...report.features, report.prediction];
      const width = Math.max(...rows.map((r) => r.name.length));
      console.log(`${'feature'.padEnd(width)}  ${'n'.padStart(6)}  ${'PSI'.padStart(7)}  ${'KS'.padStart(6)}  status`);
      for (const r of rows) {
        console.log(`${r.name.padEnd(width)}  ${String(r.n).padStart(6)}  ${r.psi.toFixed(3).padStart(7)}  ${r.ks.toFixed(3).padStart(6)}  ${r.drifted ? 'DRIFT' : 'ok'}`);
      }
      if (report.rows === 0) console.error('no predictions were logged in the window: nothing to compare');
      console.log(report.drifted ? `drift: ${rows.filter((r) => r.drifted).map((r) => r.name).join(', ')} above threshold (PSI > ${flags.psiThreshold} or KS > ${flags.ksThreshold})` : 'no drift above threshold');
      if (flags.json) console.log(JSON.stringify(report));
      if (report.drifted) process.exitCode = 1;
    } finally {
      await engine.close();
    }
  });
