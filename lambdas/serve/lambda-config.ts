/**
 * The serving Lambda's configuration, from its environment: every name the stack sets is
 * declared here once (the stacks read `serveLambdaEnv` to set them).
 */
import { defaultServeLimits, type ServeLimits } from './serve-limits';

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

export interface ServeLambdaConfig {
  readonly registry: { readonly kind: 's3'; readonly bucket: string; readonly prefix: string } | { readonly kind: 'local'; readonly dir: string };
  readonly adminTokenParameter: string | undefined;
  readonly docsAssetsPrefix: string | undefined;
  readonly reloadCheckMs: number;
  readonly limits: ServeLimits;
  readonly predictionLogDeliveryStream: string | undefined;
}

export function serveLambdaConfig(env: NodeJS.ProcessEnv): ServeLambdaConfig {
  const bucket = env[serveLambdaEnv.modelsBucket];
  const dir = env[serveLambdaEnv.modelsDir];
  if (!bucket && !dir) throw new Error(`the serving Lambda needs ${serveLambdaEnv.modelsBucket} (or ${serveLambdaEnv.modelsDir})`);
  const reload = Number(env[serveLambdaEnv.reloadCheckMs] ?? 10_000);
  return {
    registry: bucket ? { kind: 's3', bucket, prefix: env[serveLambdaEnv.modelsPrefix] ?? '' } : { kind: 'local', dir: dir! },
    adminTokenParameter: env[serveLambdaEnv.adminTokenParameter] || undefined,
    docsAssetsPrefix: env[serveLambdaEnv.docsAssetsPrefix] || undefined,
    reloadCheckMs: Number.isFinite(reload) && reload >= 0 ? reload : 10_000,
    limits: { ...defaultServeLimits, requireTokenForPredict: env[serveLambdaEnv.requireTokenForPredict] === 'true' },
    predictionLogDeliveryStream: env[serveLambdaEnv.predictionLogDeliveryStream] || undefined,
  };
}
