/**
 * Where answered predictions go after the answer (the prediction log, issue 6). A sink is
 * called once per request, after the predictions are computed; it must not block: the
 * app never awaits it, and an exception thrown by it is counted, never answered.
 */
import type { BeerInput } from './beer-request-schema';

export interface PredictionEvent {
  readonly request_id: string;
  /** When the answer was computed, from the app's clock (ms since the epoch). */
  readonly predicted_at: number;
  readonly model_version: string;
  /** Per beer, in order: the features of the model that answered it (`base` when the fallback did). */
  readonly feature_sets: readonly string[];
  /** The beers as validated, in request order. */
  readonly beers: readonly BeerInput[];
  /** One per beer, in the same order. */
  readonly predictions: readonly number[];
  readonly latency_ms: number;
}

export type PredictionSink = (event: PredictionEvent) => void;
