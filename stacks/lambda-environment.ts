/**
 * The environment variables the stacks set in each Lambda, named once. The stacks (floor 2)
 * write them and the handlers (floor 3) read them, so the names live here, below both:
 * a handler imports this file, a stack never imports a handler.
 */

/** The ingest Lambda's variables (lambdas/ingest/config.ts reads them). */
export const ingestLambdaEnv = {
  source: 'BREWLAKE_SOURCE',
  mode: 'BREWLAKE_MODE',
  streamName: 'BREWLAKE_STREAM_NAME',
  /** The local emulator; the stack never sets it. */
  kinesisEndpoint: 'BREWLAKE_KINESIS_ENDPOINT',
} as const;

/** The serving Lambda's variables (lambdas/serve/lambda-config.ts reads them). */
export const serveLambdaEnv = {
  /** The models bucket (the S3 registry). */
  modelsBucket: 'BREWLAKE_MODELS_BUCKET',
  /** The registry's key prefix in that bucket, e.g. `models/`. */
  modelsPrefix: 'BREWLAKE_MODELS_PREFIX',
  /** A local registry folder instead of S3 (tests, or a Lambda emulator). */
  modelsDir: 'BREWLAKE_MODELS_DIR',
  /** The SSM parameter holding the admin token. */
  adminTokenParameter: 'BREWLAKE_ADMIN_TOKEN_PARAMETER',
  /** Where Swagger UI's files sit in the models bucket, e.g. `docs/swagger-ui-dist/`. */
  docsAssetsPrefix: 'BREWLAKE_DOCS_ASSETS_PREFIX',
  /** How often (ms) the promotion pointer is re-checked; default 10 s. */
  reloadCheckMs: 'BREWLAKE_RELOAD_CHECK_MS',
  /** `true` makes /predict need the admin token. */
  requireTokenForPredict: 'BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT',
  /** The Firehose delivery stream (Direct PUT) the prediction log goes to, into the lake. */
  predictionLogDeliveryStream: 'BREWLAKE_PREDICTION_LOG_DELIVERY_STREAM',
} as const;
