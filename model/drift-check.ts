/**
 * Drift over the lake's `prediction_log`: the rows of a time window, against the promoted
 * model's training summary. `brewlake drift` and the `/monitor` dashboard both call this,
 * so the CLI and the page cannot disagree about what drifted.
 */
import { brewlakeCommand, type CommandHintContext } from '../glue/command-hint';
import { lakeTimestampText, type QueryEngine } from '../glue/query-engine';
import { predictionLogTable } from '../glue/schema';
import type { ModelArtifact } from './artifact';
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

export class NoModelToCompare extends Error {
  override readonly name = 'NoModelToCompare';
  constructor(location: string, hint: CommandHintContext = {}) {
    super(`no promoted model in ${location}: run \`${brewlakeCommand('train', hint)}\` first`);
  }
}

/** `24h`, `30m`, `7d` → milliseconds; a bad window names the option. */
export function parseWindow(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(m|h|d)$/.exec(text.trim());
  if (!match || !(Number(match[1]) > 0)) throw new RangeError(`--window: expected a positive number and m, h or d (e.g. 24h), got ${JSON.stringify(text)}`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

export interface DriftCheck extends DriftReport {
  readonly version: string;
  readonly since: string;
}

/** The promoted model and its training summary: what live traffic is compared with. */
export async function driftReference(registry: ModelRegistry, hint?: CommandHintContext): Promise<{ version: string; artifact: ModelArtifact }> {
  const promoted = await registry.promoted();
  if (!promoted) throw new NoModelToCompare(registry.location, hint);
  if (!promoted.artifact.trainingSummary) throw new NoTrainingSummary(promoted.version);
  return promoted;
}

/** The logged rows answered at or after `sinceMs`, oldest first. */
export async function loggedPredictionsSince(engine: QueryEngine, sinceMs: number, nowMs = Date.now()): Promise<Record<string, unknown>[]> {
  const since = lakeTimestampText(sinceMs);
  // Only the window's hour folders are read: the cost follows the window, not the log's age.
  const log = await tableWindowSql(engine, predictionLogTable, { from: new Date(sinceMs), to: new Date(nowMs) });
  return (await engine.query(`select * from ${log} as "log" where predicted_at >= timestamp '${since}' order by predicted_at`)).rows;
}

/**
 * Logged rows (prediction_log columns) against a model's training summary. Each answer is
 * judged against the answers of the model that gave it, as the row's `feature_set` records.
 */
export function driftOfLoggedRows(artifact: ModelArtifact, rows: readonly Record<string, unknown>[], thresholds?: DriftThresholds): DriftReport {
  const summary = artifact.trainingSummary;
  if (!summary) throw new Error('driftOfLoggedRows: the model carries no training summary');
  const vectors = rows.map((r) => featureVector(featureInputOfRow(r), artifact.featureSet));
  const answers = rows.map((r) => ({ ibu: r.predicted_ibu === null ? Number.NaN : Number(r.predicted_ibu), featureSet: String(r.feature_set) }));
  return driftReport(summary, vectors, answers, thresholds);
}

export async function checkDrift(options: {
  engine: QueryEngine;
  registry: ModelRegistry;
  windowMs: number;
  thresholds: DriftThresholds;
  now?: Date;
  /** The `--lake` and `--registry` given, for the command a refusal suggests. */
  hint?: CommandHintContext;
}): Promise<DriftCheck> {
  const promoted = await driftReference(options.registry, options.hint);
  const nowMs = (options.now ?? new Date()).getTime();
  const sinceMs = nowMs - options.windowMs;
  const rows = await loggedPredictionsSince(options.engine, sinceMs, nowMs);
  return { ...driftOfLoggedRows(promoted.artifact, rows, options.thresholds), version: promoted.version, since: lakeTimestampText(sinceMs) };
}
