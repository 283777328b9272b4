/**
 * The serving Lambda's configuration, from its environment: the names are the ones the model
 * stack sets (stacks/lambda-environment.ts).
 */
import { serveLambdaEnv } from '../../stacks/lambda-environment';
import { defaultServeLimits, type ServeLimits } from './serve-limits';

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
