/**
 * `brewlake drift`: the prediction log of a time window, read from the lake, against the
 * promoted model's training summary.
 */
import { lakeTimestampText, type QueryEngine } from '../glue/query-engine';
import { predictionLogTable } from '../glue/schema';
import { tableWindowSql } from '../glue/table-window';
import { driftReport, type DriftReport, type DriftThresholds } from './drift';
import { featureVector } from './features';
import type { ModelRegistry } from './registry';
import { featureInputOfRow } from './training-data';

export class NoTrainingSummary extends Error {
  override readonly name = 'NoTrainingSummary';
  constructor(version: string) {
    super(`model ${version} carries no training summary to compare with: retrain it with this version of brewlake`);
  }
}

/** `24h`, `30m`, `7d` → milliseconds; a bad window names the option. */
export function parseWindow(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(m|h|d)$/.exec(text.trim());
  if (!match) throw new RangeError(`--window: expected a number and m, h or d (e.g. 24h), got ${JSON.stringify(text)}`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

export interface DriftCheck extends DriftReport {
  readonly version: string;
  readonly since: string;
}

export async function checkDrift(options: {
  engine: QueryEngine;
  registry: ModelRegistry;
  windowMs: number;
  thresholds: DriftThresholds;
  now?: Date;
}): Promise<DriftCheck> {
  const promoted = await options.registry.promoted();
  if (!promoted) throw new Error(`no promoted model in ${options.registry.location}: run \`npx brewlake train\` first`);
  const summary = promoted.artifact.trainingSummary;
  if (!summary) throw new NoTrainingSummary(promoted.version);
  const now = options.now ?? new Date();
  const since = lakeTimestampText(now.getTime() - options.windowMs);
  // Only the window's hour folders are read: the cost follows the window, not the log's age.
  const log = await tableWindowSql(options.engine, predictionLogTable, { from: new Date(now.getTime() - options.windowMs), to: now });
  const { rows } = await options.engine.query(`select * from ${log} as "log" where predicted_at >= timestamp '${since}'`);
  const vectors = rows.map((r) => featureVector(featureInputOfRow(r), promoted.artifact.featureSet));
  const report = driftReport(summary, vectors, rows.map((r) => Number(r.predicted_ibu)), options.thresholds);
  return { ...report, version: promoted.version, since };
}
