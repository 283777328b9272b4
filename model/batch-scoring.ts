/**
 * Batch scoring: the promoted model predicts every beer of the `beers` view, and the
 * answers go back into the lake as the `predictions` table, queryable like the others.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { firehoseObjectKey } from '../glue/layout';
import { lakeTimestampText, type QueryEngine } from '../glue/query-engine';
import { baseFeatureNames, predictionTable, type PredictionRow } from '../glue/schema';
import { predictInputs } from './artifact';
import type { ModelRegistry } from './registry';
import { trainingRowOf } from './training-data';

export const scoringSql = `select id, name, ibu, ${baseFeatureNames.join(', ')}, volume_litres, hops from beers order by id`;

export class NoPromotedModel extends Error {
  override readonly name = 'NoPromotedModel';
  constructor(location: string) {
    super(`no promoted model in ${location}: run \`npx brewlake train\` first`);
  }
}

export interface ScoringResult {
  readonly version: string;
  readonly rows: number;
  /** The file written, relative to the lake. */
  readonly key: string;
}

export async function scoreLake(options: { engine: QueryEngine; registry: ModelRegistry; lakeDir: string; now?: Date }): Promise<ScoringResult> {
  const promoted = await options.registry.promoted();
  if (!promoted) throw new NoPromotedModel(options.registry.location);
  const { rows } = await options.engine.query(scoringSql);
  const inputs = rows.map((r) => ({ ...trainingRowOf(r), name: r.name as string | null, ibu: r.ibu as number | null }));
  const predicted = predictInputs(promoted.artifact, inputs);
  const now = options.now ?? new Date();
  const scoredAt = lakeTimestampText(now.getTime());
  const lines = inputs.map((b, i) => {
    const row: PredictionRow = {
      id: b.id,
      name: b.name,
      ibu: b.ibu,
      predicted_ibu: Math.round(predicted[i]! * 100) / 100,
      model_version: promoted.version,
      feature_set: promoted.artifact.featureSet,
      scored_at: scoredAt,
    };
    return `${JSON.stringify(row)}\n`;
  });
  const key = firehoseObjectKey({ prefix: predictionTable.prefix, deliveryStream: 'brewlake-score', time: now, id: promoted.version });
  const path = join(options.lakeDir, key);
  await mkdir(dirname(path), { recursive: true });
  // Written under a dot-name first: the lake's readers skip those, so a query never sees half a file.
  const tmp = join(dirname(path), `.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, lines.join(''));
  await rename(tmp, path);
  return { version: promoted.version, rows: lines.length, key };
}
