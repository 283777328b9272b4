/**
 * The serving app under load: autocannon on 127.0.0.1 (10 s, 32 connections) against the
 * app in a child process, single beers and 100-beer batches, each next to a bare Hono
 * endpoint echoing the same body measured in the same rounds; the same with every prediction
 * logged into a lake; the server's peak RSS; and cold start (process start to the first 200
 * from /predict), bundled and through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deliveryStreams } from '../glue/layout';
import type { PredictionLogCounts } from '../lambdas/serve/prediction-log';
import { baseFeatureNames } from '../glue/schema';
import { createLocalRegistry } from '../model/registry';
import { trainIbuModel } from '../model/train';
import { cleanBeer } from '../lambdas/transform/clean-beer';
import { esmRequireBanner } from '../stacks/lambda-bundle';
import { fmt, type Bench, type BenchRow } from './table';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;
interface AutocannonResult {
  requests: { average: number };
  '2xx': number;
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

const durationSeconds = 10;
const connections = 32;
/** Rounds of single-beer loads (echo, app, app logging) and of 100-beer loads (echo, app). */
const rounds = 3;
const batchRounds = 2;

interface Round {
  readonly echo: AutocannonResult;
  readonly app: AutocannonResult;
  readonly logged?: AutocannonResult;
}

const cleaned = (require('punkapi-db/data.json') as unknown[]).flatMap((raw) => {
  const r = cleanBeer(raw, new Date());
  return r.ok ? [r.beer] : [];
});
const apiBeer = (b: (typeof cleaned)[number]) => ({
  ...Object.fromEntries(baseFeatureNames.map((n) => [n, b[n]])),
  volume_litres: b.volume_litres,
  hops: b.hops.map(({ stage: _s, ...h }) => h),
});
const singleBody = JSON.stringify(apiBeer(cleaned[0]!));
const batchBody = JSON.stringify(cleaned.slice(0, 100).map(apiBeer));

interface Child {
  readonly child: ChildProcess;
  readonly url: string;
  readonly startedAt: number;
  /** Every stdout line so far (the first is the URL). */
  readonly lines: () => string[];
}

/** Starts a child process and resolves with its URL (first stdout line) and the time it took. */
function startChild(command: string, args: string[]): Promise<Child> {
  const startedAt = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const lines = () => out.split('\n').filter((l) => l !== '');
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, url: line.trim(), startedAt, lines });
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code} before listening`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Lines in every file under a folder (the lake's JSON-lines objects). */
async function jsonLinesUnder(dir: string): Promise<number> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let lines = 0;
  for (const f of files) if (f.isFile()) lines += (await readFile(join(f.parentPath, f.name), 'utf8')).split('\n').filter((l) => l !== '').length;
  return lines;
}

/** Peak resident set size of a live process (Linux: VmHWM). */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

async function load(url: string, body: string): Promise<AutocannonResult> {
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: durationSeconds });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return result;
}

async function firstPrediction(url: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: singleBody }).catch(() => undefined);
    if (res?.status === 200) return;
    await res?.arrayBuffer();
  }
}

async function coldStart(command: string, args: string[]): Promise<number> {
  const { child, url, startedAt } = await startChild(command, args);
  try {
    await firstPrediction(url);
    return performance.now() - startedAt;
  } finally {
    await stopChild(child);
  }
}

export const serveBench: Bench = {
  title: 'serve: HTTP predictions',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'brewlake-bench-serve-'));
    try {
      const registryDir = join(dir, 'models');
      const registry = createLocalRegistry(registryDir);
      const labelled = cleaned.filter((b) => b.ibu !== null).map((b) => ({ ...b, ibu: b.ibu! }));
      const artifact = trainIbuModel(labelled, { featureSet: 'hops' });
      await registry.save(artifact, { version: 'bench', featureSet: 'hops', trainedAt: new Date().toISOString(), engine: 'bench', sql: '', rows: labelled.length, dataHash: '', params: artifact.params, codeVersion: 'bench' });
      await registry.promote('bench');

      // Inside the repo (gitignored), so the bundle's external packages resolve from node_modules.
      const bundle = new URL('../test-results/serve-bench/serve-process.mjs', import.meta.url).pathname;
      await build({
        // The prediction log's worker thread is a bundle of its own, beside the server's.
        entryPoints: { 'serve-process': new URL('./serve-process.ts', import.meta.url).pathname, 'prediction-log-thread': new URL('../local/prediction-log/prediction-log-thread.ts', import.meta.url).pathname },
        outdir: dirname(bundle),
        outExtension: { '.js': '.mjs' },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // Everything in one file, as the serving Lambda is bundled: start-up reads one module.
        banner: { js: esmRequireBanner },
        // DuckDB (the log's Parquet conversion, when that setting is on) is a native binding: loaded from node_modules.
        external: ['@duckdb/*'],
        logLevel: 'silent',
      });
      const tsx = [require.resolve('tsx/cli')];

      const coldBundled = await coldStart(process.execPath, [bundle, registryDir]);
      const coldTsx = await coldStart(process.execPath, [...tsx, new URL('./serve-process.ts', import.meta.url).pathname, registryDir]);

      // Every server up at once, and the loads taken in rounds (echo, then the app, then the app
      // logging into a lake as `brewlake serve` does), so a machine that speeds up or slows down
      // during the run moves the value and its reference together; each row prints the round
      // whose ratio is the median.
      const echo = await startChild(process.execPath, [...tsx, new URL('./hono-echo-process.ts', import.meta.url).pathname]);
      const serve = await startChild(process.execPath, [bundle, registryDir]);
      const withLog = await startChild(process.execPath, [bundle, registryDir, '--log', join(dir, 'lake')]);
      const single: Round[] = [];
      const batch: Round[] = [];
      let counts: PredictionLogCounts;
      let rss: number;
      try {
        await Promise.all([serve, withLog].map((s) => firstPrediction(s.url)));
        for (let round = 0; round < rounds; round++) {
          single.push({ echo: await load(`${echo.url}/echo`, singleBody), app: await load(`${serve.url}/predict`, singleBody), logged: await load(`${withLog.url}/predict`, singleBody) });
        }
        for (let round = 0; round < batchRounds; round++) batch.push({ echo: await load(`${echo.url}/echo`, batchBody), app: await load(`${serve.url}/predict`, batchBody) });
        rss = await peakRss(serve.child.pid!);
        // Stopping flushes the log and writes what its delivery stream holds: every answer is a row.
        await stopChild(withLog.child);
        counts = JSON.parse(withLog.lines().at(-1)!) as PredictionLogCounts;
      } finally {
        for (const c of [echo, serve, withLog]) await stopChild(c.child);
      }
      const loggedRows = await jsonLinesUnder(join(dir, 'lake', deliveryStreams.predictionLog.prefix));
      const answeredWithLog = single.reduce((n, r) => n + r.logged!['2xx'], 0);

      const rate = (r: AutocannonResult) => r.requests.average;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // The round whose ratio is the median: its value and reference are printed, so the ratio
      // column is the printed value ÷ the printed reference, and a noisy round moves neither.
      const medianRound = (rs: Round[], top: (r: Round) => AutocannonResult, bottom: (r: Round) => AutocannonResult) => {
        const byRatio = rs.map((r) => ({ value: rate(top(r)), reference: rate(bottom(r)) })).sort((a, b) => a.value / a.reference - b.value / b.reference);
        const picked = byRatio[Math.floor(byRatio.length / 2)]!;
        return { ...picked, ratio: picked.value / picked.reference };
      };
      const singleRound = medianRound(single, (r) => r.app, (r) => r.echo);
      const batchRound = medianRound(batch, (r) => r.app, (r) => r.echo);
      const logRound = medianRound(single, (r) => r.logged!, (r) => r.app);
      const p99 = median(single.map((r) => r.app.latency.p99));
      const echoP99 = median(single.map((r) => r.echo.latency.p99));
      const rows: BenchRow[] = [
        { name: 'serve /predict, 1 beer', value: fmt.rate(singleRound.value, 'req'), reference: `hono echo ${fmt.rate(singleRound.reference, 'req')}`, target: '>= 5,000 req/s and >= 0.5x', pass: (ratio) => singleRound.value >= 5000 && ratio >= 0.5 },
        { name: 'serve /predict, 1 beer, p99', value: fmt.ms(p99), reference: `hono echo ${fmt.ms(echoP99)}`, target: '<= 25 ms', pass: p99 <= 25 },
        // The model's work on 100 beers against echoing the same body: a ratio, so a busy machine moves both.
        { name: 'serve /predict, 100 beers', value: fmt.rate(batchRound.value, 'req'), reference: `hono echo ${fmt.rate(batchRound.reference, 'req')}`, target: '>= 0.8x', pass: (ratio) => ratio >= 0.8 },
        { name: 'serve /predict, 1 beer, prediction log on', value: fmt.rate(logRound.value, 'req'), reference: `log off ${fmt.rate(logRound.reference, 'req')}`, target: '>= 0.8x', pass: (ratio) => ratio >= 0.8 },
        // Every answer logged (autocannon counts only the answers that arrived before it stopped), none dropped, all in the lake.
        { name: `prediction log rows in the lake (${fmt.count(counts.dropped)} dropped)`, value: fmt.count(loggedRows), reference: `logged ${fmt.count(counts.logged)}`, target: 'every answer, none dropped', pass: counts.logged >= answeredWithLog && counts.dropped === 0 && loggedRows === counts.logged },
        { name: 'serve peak RSS under load', value: `${(rss / 1024 / 1024).toFixed(0)} MB`, reference: '', target: 'reported', pass: Number.isFinite(rss) },
        { name: 'serve cold start (esbuild bundle)', value: fmt.ms(coldBundled), reference: `tsx ${fmt.ms(coldTsx)}`, target: '<= 500 ms', pass: coldBundled <= 500 },
      ];
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
