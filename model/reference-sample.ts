/**
 * A version's reference sample: a small, fixed sample of the lake's training set, stored
 * beside the version when it is trained (`reference-sample.json`). `POST /retrain` judges a
 * candidate against the promoted version on these rows, which no submitter of records chose:
 * records that are all noise can beat the current model on a hold-out cut from themselves,
 * never on beers the lake measured. A retrained version carries on the sample it was judged
 * on, so the reference never comes from submitted records.
 */
import { baseFeatureNames } from '../glue/schema';
import { ArtifactError } from './artifact';
import { seededRandom, shuffled } from './gbm';
import type { ModelRegistry } from './registry';
import type { TrainingRow } from './train';

export const referenceSampleFile = 'reference-sample.json';
/** Enough beers for an RMSE that two models can be told apart on; small beside a model. */
export const referenceSampleSize = 100;

/** `size` rows of `rows`, the same ones for the same rows (a seeded shuffle). */
export function referenceSample(rows: readonly TrainingRow[], size: number = referenceSampleSize): TrainingRow[] {
  return shuffled(rows, seededRandom(17)).slice(0, size);
}

export async function storeReferenceSample(registry: ModelRegistry, version: string, rows: readonly TrainingRow[]): Promise<void> {
  await registry.attach(version, referenceSampleFile, JSON.stringify({ rows }), 'application/json');
}

const isNumberOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

/** Why `row` is not a labelled training row, or undefined when it is one. */
function notARowReason(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'expected an object';
  const r = row as Record<string, unknown>;
  if (typeof r.ibu !== 'number' || !Number.isFinite(r.ibu)) return 'ibu: expected a finite number';
  const bad = baseFeatureNames.find((name) => !isNumberOrNull(r[name]));
  if (bad) return `${bad}: expected a number or null`;
  if (r.hops !== undefined && r.hops !== null && !Array.isArray(r.hops)) return 'hops: expected a list or null';
  return undefined;
}

/**
 * The version's reference sample; null when none was stored (a version trained before there
 * were samples). Throws `ArtifactError` naming the file when it is there but unreadable.
 */
export async function readReferenceSample(registry: ModelRegistry, version: string): Promise<TrainingRow[] | null> {
  const text = await registry.attachment(version, referenceSampleFile);
  if (text === null) return null;
  const source = `${registry.location} ${version}/${referenceSampleFile}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ArtifactError(source, `not JSON, perhaps truncated (${text.length} bytes): ${error instanceof Error ? error.message : String(error)}`);
  }
  const rows = (parsed as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows) || rows.length === 0) throw new ArtifactError(source, 'rows: expected a non-empty list');
  for (const [i, row] of rows.entries()) {
    const reason = notARowReason(row);
    if (reason) throw new ArtifactError(source, `rows[${i}]: ${reason}`);
  }
  return rows as TrainingRow[];
}
