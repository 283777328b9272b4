/**
 * The live window behind `GET /monitor`: the last predictions the app answered, compared
 * with the training data of the model that answered them (per base feature and for the
 * predicted IBU), and the traffic minute by minute. In memory and bounded: the durable
 * record is the lake's prediction_log table, which `brewlake drift` reads.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import { baseFeatureNames } from '../../glue/schema';
import { defaultDriftThresholds, ksStatistic, populationStabilityIndex, type ColumnSummary, type DriftThresholds, type TrainingSummary } from '../../model/drift';
import type { ModelRegistry } from '../../model/registry';
import { monitorPage } from './monitor-page';
import type { PredictionEvent } from './prediction-sink';

interface LiveRow {
  readonly minute: number;
  readonly version: string;
  readonly features: readonly (number | null)[];
  readonly ibu: number;
}

interface Minute {
  readonly minute: number;
  requests: number;
  beers: number;
  latencyTotal: number;
  latencyMax: number;
  readonly byVersion: Record<string, number>;
}

export interface ColumnView {
  readonly name: string;
  readonly n: number;
  readonly psi: number;
  readonly ks: number;
  readonly drifted: boolean;
  /** Bin labels, then the share of training and of live values per bin. */
  readonly bins: readonly string[];
  readonly training: readonly number[];
  readonly live: readonly number[];
}

export interface MonitorSnapshot {
  readonly version: string | null;
  readonly thresholds: DriftThresholds;
  readonly rows: number;
  readonly columns: readonly ColumnView[];
  readonly minutes: readonly {
    readonly minute: string;
    readonly requests: number;
    readonly beers: number;
    readonly meanLatencyMs: number;
    readonly maxLatencyMs: number;
    readonly byVersion: Readonly<Record<string, number>>;
    readonly psi: Readonly<Record<string, number>>;
  }[];
}

export interface LiveWindow {
  record(event: PredictionEvent): void;
  snapshot(): Promise<MonitorSnapshot>;
}

function shares(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v > edges[b]!) b++;
    counts[b]!++;
  }
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

const binLabels = (edges: readonly number[]) => [
  ...edges.map((e, i) => (i === 0 ? `≤ ${+e.toPrecision(4)}` : `${+edges[i - 1]!.toPrecision(4)}–${+e.toPrecision(4)}`)),
  `> ${edges.length ? +edges[edges.length - 1]!.toPrecision(4) : 0}`,
];

export function createLiveWindow(options: { registry: ModelRegistry; maxRows?: number; maxMinutes?: number; thresholds?: DriftThresholds; now?: () => number }): LiveWindow {
  const maxRows = options.maxRows ?? 5_000;
  const maxMinutes = options.maxMinutes ?? 60;
  const thresholds = options.thresholds ?? defaultDriftThresholds;
  const now = options.now ?? Date.now;
  const rows: LiveRow[] = [];
  const minutes = new Map<number, Minute>();
  const summaries = new Map<string, Promise<TrainingSummary | undefined>>();

  const summaryOf = (version: string) => {
    let s = summaries.get(version);
    if (!s) {
      s = options.registry.load(version).then((a) => a.trainingSummary, () => undefined);
      summaries.set(version, s);
    }
    return s;
  };

  const columnOf = (summary: TrainingSummary, name: string): ColumnSummary | undefined =>
    name === 'predicted_ibu' ? { ...summary.target, name } : summary.features.find((f) => f.name === name);

  return {
    record(event) {
      const minute = Math.floor(event.predicted_at / 60_000) * 60_000;
      let m = minutes.get(minute);
      if (!m) {
        m = { minute, requests: 0, beers: 0, latencyTotal: 0, latencyMax: 0, byVersion: {} };
        minutes.set(minute, m);
        for (const old of minutes.keys()) if (old < minute - maxMinutes * 60_000) minutes.delete(old);
      }
      m.requests++;
      m.beers += event.beers.length;
      m.latencyTotal += event.latency_ms;
      m.latencyMax = Math.max(m.latencyMax, event.latency_ms);
      m.byVersion[event.model_version] = (m.byVersion[event.model_version] ?? 0) + event.beers.length;
      event.beers.forEach((beer, i) => rows.push({ minute, version: event.model_version, features: baseFeatureNames.map((n) => beer[n] ?? null), ibu: event.predictions[i]! }));
      if (rows.length > maxRows) rows.splice(0, rows.length - maxRows);
    },

    async snapshot() {
      const version = rows.at(-1)?.version ?? null;
      const summary = version ? await summaryOf(version) : undefined;
      const current = rows.filter((r) => r.version === version);
      const names = [...baseFeatureNames, 'predicted_ibu'];
      const valuesOf = (list: readonly LiveRow[], k: number): number[] =>
        list.map((r) => (k < baseFeatureNames.length ? (r.features[k] ?? Number.NaN) : r.ibu));
      const columns: ColumnView[] = [];
      if (summary) {
        names.forEach((name, k) => {
          const reference = columnOf(summary, name);
          if (!reference) return;
          const live = valuesOf(current, k);
          const psi = populationStabilityIndex(reference, live);
          const ks = ksStatistic(reference.values, live);
          columns.push({
            name,
            n: live.filter(Number.isFinite).length,
            psi,
            ks,
            drifted: live.length > 0 && (psi > thresholds.psi || ks > thresholds.ks),
            bins: binLabels(reference.edges),
            training: shares(reference.values, reference.edges),
            live: shares(live.filter(Number.isFinite), reference.edges),
          });
        });
      }
      const cutoff = now() - maxMinutes * 60_000;
      const minuteViews = [...minutes.values()]
        .filter((m) => m.minute >= cutoff)
        .sort((a, b) => a.minute - b.minute)
        .map((m) => {
          const inMinute = current.filter((r) => r.minute === m.minute);
          const psi: Record<string, number> = {};
          if (summary && inMinute.length > 0) {
            names.forEach((name, k) => {
              const reference = columnOf(summary, name);
              if (reference) psi[name] = populationStabilityIndex(reference, valuesOf(inMinute, k));
            });
          }
          return {
            minute: new Date(m.minute).toISOString().slice(11, 16),
            requests: m.requests,
            beers: m.beers,
            meanLatencyMs: m.requests ? m.latencyTotal / m.requests : 0,
            maxLatencyMs: m.latencyMax,
            byVersion: { ...m.byVersion },
            psi,
          };
        });
      return { version, thresholds, rows: current.length, columns, minutes: minuteViews };
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
export function mountMonitor(app: Hono<any>, window: LiveWindow): void {
  app.get('/monitor', (c) => c.html(monitorPage()));
  app.get('/monitor/data', async (c) => c.json(await window.snapshot()));
  app.get('/monitor/chart.js', (c) => c.body(chartJsSource(), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=86400' }));
}
