/**
 * What the HTTP app needs from the model side, in the app's own terms. `registry-backend.ts`
 * implements it over `model/` (features, artifact, training, registry); the app never
 * reaches into `model/` itself.
 */
import type { BeerInput, LabelledBeerInput } from './beer-request-schema';
import type { PromotedModelSource } from './model-holder';
import type { ModelListing } from '../../model/version-listing';

export type { ModelVersionSummary } from '../../model/version-listing';

export interface HoldoutMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

export type RetrainOutcome =
  | {
      readonly ok: true;
      readonly version: string;
      readonly promoted: boolean;
      readonly reason: string;
      readonly previous_version: string | null;
      readonly holdout: { readonly rows: number; readonly candidate: HoldoutMetrics; readonly current: HoldoutMetrics | null };
      /** Both models on rows the submitter did not choose (the lake's training set); null when the backend has none. */
      readonly reference?: { readonly rows: number; readonly candidate: HoldoutMetrics; readonly current: HoldoutMetrics | null } | null;
    }
  | { readonly ok: false; readonly error: { readonly name: 'DegenerateTrainingSet'; readonly message: string; readonly issues: readonly { path: string; reason: string }[] } };

export interface ModelBackend<M> {
  readonly source: PromotedModelSource<M>;
  /** `base` or `hops`: the features of the model that answers this beer (a fallback may answer for the promoted one). */
  answeredBy(model: M, beer: BeerInput): string;
  /** One IBU per beer, in order, rounded as every IBU leaving brewlake is (model/ibu-precision.ts). Pure: no I/O. */
  predict(model: M, beers: readonly BeerInput[]): number[];
  list(): Promise<ModelListing>;
  /** Promotes a stored version; `unknown` when there is none by that name. */
  promote(version: string): Promise<{ ok: true; previous: string | null } | { ok: false; error: 'UnknownVersion' }>;
  /** Trains on the records, stores the version, promotes it when not worse than `current` (or forced). */
  retrain(records: readonly LabelledBeerInput[], current: { version: string; model: M } | undefined, force: boolean): Promise<RetrainOutcome>;
}
