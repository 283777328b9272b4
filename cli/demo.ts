/**
 * `brewlake demo [--once] [--serve [PORT]] [--json] [--lake DIR] [--ticks N]`: the local lake
 * end to end, then a reconciliation. Parses, calls local/demo, prints: progress on stderr,
 * the reconciliation on stdout (`--json`: one JSON line, last). With `--serve`, a lake that
 * reconciles is then served (`brewlake serve --replay`): its beers go through /predict and
 * the dashboard's address is printed.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultDemoTicks, defaultLiveTickIntervalMs, runDemo, type DemoSummary } from '../local/demo';
import { demoParts } from '../local/demo-parts';
import { jsonOption, lakeOption } from './options';
import { ensurePortFree } from './port-free';
import { compactInBackground, defaultServeHost, defaultServePort, parsePort, refreshCatalog, serveLake } from './serve';

interface DemoFlags {
  lake: string;
  json?: boolean;
  once?: boolean;
  serve?: number | true;
  ticks: number;
  compact?: boolean;
}

const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
};

export const demoCommand = new Command('demo')
  .description('run the local lake end to end: backfill the catalogue, random ticks, delivery, reconciliation')
  .option('--once', 'exit after the reconciliation (otherwise keep ticking until Ctrl-C)')
  .option('--serve [port]', `with --once: then serve the lake (training a model if none) and send its beers through /predict for the dashboard (default port ${defaultServePort})`, parsePort)
  .addOption(new Option('--ticks <n>', 'random beers after the backfill').argParser(count).default(defaultDemoTicks))
  .option('--compact', "compact the lake's closed days and hours into Parquet in the background while the demo runs and serves")
  .addOption(lakeOption())
  .addOption(jsonOption())
  .action(async (flags: DemoFlags) => {
    if (flags.serve !== undefined && !flags.once) demoCommand.error('error: --serve serves the lake once it is built: give --once too');
    const servePort = flags.serve === true ? defaultServePort : flags.serve;
    // A busy port is known now, not after the lake is built and a model trained.
    if (servePort !== undefined) await ensurePortFree(defaultServeHost, servePort);
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const controller = new AbortController();
    const onSignal = () => {
      progress('stopping: delivering what is buffered');
      controller.abort();
    };
    const live = !flags.once && { signal: controller.signal, tickIntervalMs: defaultLiveTickIntervalMs, onReconciled: (s: DemoSummary) => {
      print(s, flags.json);
      progress('ticking: one random beer every few seconds; Ctrl-C stops');
    } };
    if (live) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    const compaction = flags.compact ? compactInBackground(flags.lake) : undefined;
    const catalog = refreshCatalog(flags.lake);
    try {
      const summary = await runDemo({ lakeDir: flags.lake, ticks: flags.ticks, progress, onDelivered: () => catalog.changed(), ...(live && { live }) }, demoParts);
      print(summary, flags.json);
      if (!summary.ok) process.exitCode = 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await compaction?.stop();
      // The last deliveries into the catalog file, before the lake is served or the demo exits.
      await catalog.stop();
    }
    if (flags.serve !== undefined && process.exitCode !== 1 && !controller.signal.aborted) {
      await serveLake({ lake: flags.lake, port: servePort ?? defaultServePort, replay: true, ...(flags.compact && { compact: true }) });
    }
  });

function print(s: DemoSummary, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISMATCH');
  const rows: [string, string | number][] = [
    ['lake', s.lakeDir],
    ['records put', s.put],
    ['raw lines', s.raw],
    ['raw refused (unreadable lines)', s.rawRefused],
    ['cleaned lines', s.cleaned],
    ['failed lines', s.failed],
    ['dropped', s.dropped],
    ['distinct beers (raw)', s.distinctRaw],
    ['distinct beers (cleaned)', s.distinctCleaned],
    ['beers view rows', s.beers],
    ['files raw / cleaned / errors', `${s.files.raw} / ${s.files.cleaned} / ${s.files.errors}`],
    ['wall time', `${(s.wallMs / 1000).toFixed(1)} s`],
    ['put = raw + raw refused', mark(s.checks.putEqualsRawPlusRefused)],
    ['cleaned + failed + dropped = put', mark(s.checks.cleanedFailedDroppedEqualsPut)],
    ['beers = distinct (cleaned)', mark(s.checks.beersEqualsDistinct)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}
