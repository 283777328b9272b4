/**
 * The data behind `GET /monitor`: the lake's `prediction_log` over a recent window, judged by
 * the same computation as `brewlake drift` (model/drift-check.ts), with the same minimum
 * sample: the page and the CLI read the same rows and cannot disagree. Traffic per minute
 * (requests, latency, predictions by version) comes from the same rows, so the page shows
 * what every server logged into the lake, not one process's memory.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import type { QueryEngine } from '../../glue/query-engine';
import { baseFeatureNames } from '../../glue/schema';
import { defaultDriftThresholds, minDriftSample, type ColumnDrift, type DriftThresholds, type DriftVerdict } from '../../model/drift';
import { driftOfLoggedRows, driftReference, loggedPredictionsSince } from '../../model/drift-check';
import type { ModelRegistry } from '../../model/registry';
import { monitorPage } from './monitor-page';

export interface MinuteView {
  /** `HH:MM`, UTC. */
  readonly minute: string;
  readonly requests: number;
  readonly beers: number;
  readonly meanLatencyMs: number;
  readonly maxLatencyMs: number;
  /** Predictions per model version, most first: a list, since a version is a name read from the lake and `constructor` or `__proto__` is as good a name as any. */
  readonly byVersion: readonly VersionCount[];
  /** PSI of the minute's rows per charted column; null when the minute holds too few values to judge. */
  readonly psi: Readonly<Record<string, number | null>>;
}

export interface VersionCount {
  readonly version: string;
  readonly predictions: number;
}

/** How many of `rows` each model version answered, most first (ties by name). */
export function predictionsByVersion(rows: readonly Record<string, unknown>[]): VersionCount[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.model_version), (counts.get(String(r.model_version)) ?? 0) + 1);
  return [...counts].map(([version, predictions]) => ({ version, predictions })).sort((a, b) => b.predictions - a.predictions || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

export interface MonitorSnapshot {
  /** The promoted model the traffic is compared with; null when there is none. */
  readonly version: string | null;
  /** Why nothing could be judged (no model, an unreadable log); null when the verdict stands. */
  readonly problem: string | null;
  readonly thresholds: DriftThresholds;
  readonly minSample: number;
  readonly windowMinutes: number;
  readonly rows: number;
  readonly verdict: DriftVerdict;
  /** Every feature the model reads, and the answers per answering model, as `brewlake drift` judges them. */
  readonly columns: readonly ColumnDrift[];
  /** The columns drawn as histograms and PSI lines: the base features, the answers that have a reference, and anything that drifted. */
  readonly charted: readonly string[];
  readonly minutes: readonly MinuteView[];
}

export interface LakeMonitor {
  snapshot(): Promise<MonitorSnapshot>;
}

const minuteOf = (predictedAt: unknown) => String(predictedAt).slice(0, 16);

export function createLakeMonitor(options: { engine: QueryEngine; registry: ModelRegistry; windowMinutes?: number; thresholds?: DriftThresholds; now?: () => number }): LakeMonitor {
  const windowMinutes = options.windowMinutes ?? 60;
  const thresholds = options.thresholds ?? defaultDriftThresholds;
  const now = options.now ?? Date.now;
  const empty = { thresholds, minSample: minDriftSample, windowMinutes, rows: 0, verdict: 'not enough data' as const, columns: [], charted: [], minutes: [] };

  return {
    async snapshot() {
      let reference;
      try {
        reference = await driftReference(options.registry);
      } catch (error) {
        return { ...empty, version: null, problem: error instanceof Error ? error.message : String(error) };
      }
      let rows;
      try {
        const nowMs = now();
        rows = await loggedPredictionsSince(options.engine, nowMs - windowMinutes * 60_000, nowMs);
      } catch (error) {
        // As `brewlake drift` exits 2 on an unreadable table, the page says it cannot judge.
        return { ...empty, version: reference.version, problem: `cannot read the prediction log: ${error instanceof Error ? error.message : String(error)}` };
      }
      const report = driftOfLoggedRows(reference.artifact, rows, thresholds);
      const columns = [...report.features, ...report.predictions];
      // A column without a reference has no histogram to draw.
      const charted = [...report.features.filter((c) => (baseFeatureNames as readonly string[]).includes(c.name) || c.drifted), ...report.predictions.filter((c) => c.status !== 'no reference')].map((c) => c.name);

      const byMinute = new Map<string, Record<string, unknown>[]>();
      for (const row of rows) {
        const key = minuteOf(row.predicted_at);
        let list = byMinute.get(key);
        if (!list) byMinute.set(key, (list = []));
        list.push(row);
      }
      const minutes = [...byMinute].map(([minute, inMinute]): MinuteView => {
        // latency_ms is the request's, repeated on each of its beers: count it once per request.
        const latency = new Map(inMinute.map((r) => [String(r.request_id), Number(r.latency_ms)]));
        const minuteReport = driftOfLoggedRows(reference.artifact, inMinute, thresholds);
        const psi = Object.fromEntries([...minuteReport.features, ...minuteReport.predictions].filter((c) => charted.includes(c.name)).map((c) => [c.name, c.psi]));
        const latencies = [...latency.values()];
        return {
          minute: minute.slice(11),
          requests: latency.size,
          beers: inMinute.length,
          meanLatencyMs: latencies.reduce((s, v) => s + v, 0) / latencies.length,
          maxLatencyMs: Math.max(...latencies),
          byVersion: predictionsByVersion(inMinute),
          psi,
        };
      });
      return { thresholds, minSample: minDriftSample, windowMinutes, version: reference.version, problem: null, rows: report.rows, verdict: report.verdict, columns, charted, minutes };
    },
  };
}

/** The dashboard's routes; pages, not API: they stay out of the OpenAPI document. */
export const monitorRoutes = ['/monitor', '/monitor/data', '/monitor/chart.js'] as const;

let chartJs: string | undefined;
function chartJsSource(): string {
  // The package exports no path to its browser build: find it beside the main entry.
  chartJs ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

/** Mounts `/monitor` (the page), `/monitor/data` (its JSON) and Chart.js, served from npm. */
// Any app's env: these routes read nothing from it.
export function mountMonitor(app: Hono<any>, monitor: LakeMonitor): void {
  app.get('/monitor', (c) => c.html(monitorPage()));
  app.get('/monitor/data', async (c) => c.json(await monitor.snapshot()));
  app.get('/monitor/chart.js', (c) => c.body(chartJsSource(), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=86400' }));
}
