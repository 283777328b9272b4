/** The serving app's own metrics, on a registry that later parts (the prediction log) extend. */
import { createMetricRegistry, type Counter, type Histogram, type MetricRegistry } from './prometheus';

export interface ServeMetrics {
  readonly registry: MetricRegistry;
  /** Every answered request, by route template, method and status. */
  readonly requests: Counter;
  /** Request latency in seconds, by route template. */
  readonly latency: Histogram;
  /** Every 4xx/5xx, by route and error name. */
  readonly errors: Counter;
  /** Beers scored, by model version. */
  readonly predictions: Counter;
  /** Model (re)loads, by outcome (`loaded`, `failed`). */
  readonly modelLoads: Counter;
  /** Requests whose client went away before its body was read (answered 499, not an error of the server's). */
  readonly clientAborts: Counter;
  /** Prediction sinks that threw (the answer was still given). */
  readonly predictionSinkErrors: Counter;
}

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createServeMetrics(registry: MetricRegistry = createMetricRegistry()): ServeMetrics {
  return {
    registry,
    requests: registry.counter('brewlake_http_requests_total', 'HTTP requests answered, by route, method and status.'),
    latency: registry.histogram('brewlake_http_request_duration_seconds', 'HTTP request latency, by route.', latencyBuckets),
    errors: registry.counter('brewlake_http_errors_total', 'HTTP requests answered with an error, by route and error name.'),
    predictions: registry.counter('brewlake_predictions_total', 'Beers scored, by model version.'),
    modelLoads: registry.counter('brewlake_model_loads_total', 'Model loads from the registry, by outcome.'),
    clientAborts: registry.counter('brewlake_http_client_aborts_total', 'Requests whose client closed the connection before its body was read, by route.'),
    predictionSinkErrors: registry.counter('brewlake_prediction_sink_errors_total', 'Prediction sinks that threw; the predictions were still answered.'),
  };
}
