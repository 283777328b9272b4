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

/** What `GET /models` answers and `brewlake models --json` prints: the listing, and the version loaded to answer. */
export interface ModelsAnswer extends ModelListing {
  /**
   * The version that answers predictions. A server: the one it has loaded (null before it
   * loaded any). The CLI loads none itself: it says what a server started on the registry now
   * loads, the promoted version (null when none is, or the pointer is broken).
   */
  readonly loaded: string | null;
}

/** The one shape of both answers, keys in the order both print them. */
export function modelsAnswer(listing: ModelListing, loaded: string | null): ModelsAnswer {
  const { promoted, pointer_error, versions } = listing;
  return { promoted, ...(pointer_error !== undefined ? { pointer_error } : {}), loaded, versions };
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
