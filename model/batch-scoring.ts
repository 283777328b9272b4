/**
 * Batch scoring: the promoted model predicts every beer of the `beers` view, and the
 * answers go back into the lake as the `predictions` table, queryable like the others.
 */
import { brewlakeCommand, type CommandHintContext } from '../glue/command-hint';
import { lakeTimestampText, type QueryEngine } from '../glue/query-engine';
import { baseFeatureNames, type PredictionRow } from '../glue/schema';
import { answeringFeatureSet, predictInputs } from './artifact';
import { replacePredictionRows } from './prediction-files';
import { roundIbu } from './ibu-precision';
import type { ModelRegistry } from './registry';
import { trainingRowOf } from './training-data';

export const scoringSql = `select id, name, ibu, ${baseFeatureNames.join(', ')}, volume_litres, hops from beers order by id`;

export class NoPromotedModel extends Error {
  override readonly name = 'NoPromotedModel';
  constructor(location: string, hint: CommandHintContext = {}) {
    super(`no promoted model in ${location}: run \`${brewlakeCommand('train', hint)}\` first`);
  }
}

export interface ScoringResult {
  readonly version: string;
  readonly rows: number;
  /** The file written, relative to the lake. */
  readonly key: string;
}

/** `hint`: the `--registry` given, for the command a refusal suggests (the lake is `lakeDir`). */
export async function scoreLake(options: { engine: QueryEngine; registry: ModelRegistry; lakeDir: string; now?: Date; hint?: Pick<CommandHintContext, 'registry'> }): Promise<ScoringResult> {
  const promoted = await options.registry.promoted();
  if (!promoted) throw new NoPromotedModel(options.registry.location, { lake: options.lakeDir, ...options.hint });
  const { rows } = await options.engine.query(scoringSql);
  const inputs = rows.map((r) => ({ ...trainingRowOf(r), name: r.name as string | null, ibu: r.ibu as number | null }));
  const predicted = predictInputs(promoted.artifact, inputs);
  const scoredAt = lakeTimestampText((options.now ?? new Date()).getTime());
  const scored = inputs.map((b, i): PredictionRow => ({
    id: b.id,
    name: b.name,
    ibu: b.ibu,
    predicted_ibu: roundIbu(predicted[i]!),
    model_version: promoted.version,
    feature_set: answeringFeatureSet(promoted.artifact, b),
    kind: 'in_sample',
    repeat: null,
    scored_at: scoredAt,
  }));
  const key = await replacePredictionRows(options.lakeDir, promoted.version, 'in_sample', scored);
  return { version: promoted.version, rows: scored.length, key };
}
