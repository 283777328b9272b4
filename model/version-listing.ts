/**
 * The registry's versions as people and programs read them: `GET /models` and `brewlake
 * models [--json]` both print this one shape, newest first, in the API's snake_case.
 */
import type { ModelVersion } from './registry';

export interface ModelVersionSummary {
  readonly version: string;
  readonly created_at: string;
  readonly feature_set: string;
  readonly rows: number;
  /** Cross-validated at training (rmse, mae, r2); empty when the version was not evaluated. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly promoted: boolean;
}

export interface ModelListing {
  readonly promoted: string | null;
  /** The promotion pointer is broken (promoted is then null, and promoting repairs it). */
  readonly pointer_error?: string;
  /** Newest first. */
  readonly versions: ModelVersionSummary[];
}

const metricsOf = (v: ModelVersion): Record<string, number> => {
  const cv = v.lineage.cv?.mean;
  return cv ? { rmse: cv.rmse, mae: cv.mae, r2: cv.r2 } : {};
};

export function modelListing(versions: readonly ModelVersion[], pointerError?: string): ModelListing {
  // By training time, then name (which starts with the time, to the second): newest first.
  const key = (v: ModelVersion) => `${v.lineage.trainedAt}\u0000${v.version}`;
  const newestFirst = [...versions].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
  return {
    promoted: versions.find((v) => v.promoted)?.version ?? null,
    ...(pointerError ? { pointer_error: pointerError } : {}),
    versions: newestFirst.map((v) => ({
      version: v.version,
      created_at: v.lineage.trainedAt,
      feature_set: v.lineage.featureSet,
      rows: v.lineage.rows,
      metrics: metricsOf(v),
      promoted: v.promoted,
    })),
  };
}
