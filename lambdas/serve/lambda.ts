/**
 * The serving Lambda (function URL): the same app as `brewlake serve`, over the S3
 * registry, with the admin token from SSM. Built once per container, at cold start.
 * The AWS SDK is left out of the bundle (the Node 22 runtime provides it).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { handle } from 'hono/aws-lambda';
import { createLocalRegistry, createS3Registry } from '../../model/registry';
import { createFirehoseClient } from '../firehose-client';
import { fixedToken } from './admin-token';
import { serveLambdaConfig } from './lambda-config';
import { createPredictionLog, firehoseSender } from './prediction-log';
import { s3DocsAssets } from './s3-docs-assets';
import { createServeApp } from './serve-app';
import { ssmTokenSource } from './ssm-token-source';

const config = serveLambdaConfig(process.env);
const s3 = config.registry.kind === 's3' ? new S3Client({}) : undefined;

// A frozen container runs no timers: the log is flushed before each invocation returns.
const predictionLog = config.predictionLogDeliveryStream
  ? createPredictionLog({ send: firehoseSender(createFirehoseClient(), config.predictionLogDeliveryStream), flushIntervalMs: 60_000 })
  : undefined;

const app = createServeApp({
  registry:
    config.registry.kind === 's3'
      ? createS3Registry({ client: s3!, bucket: config.registry.bucket, prefix: config.registry.prefix })
      : createLocalRegistry(config.registry.dir),
  // No parameter configured: admin routes answer 403 (fail closed).
  auth: { token: config.adminTokenParameter ? ssmTokenSource(config.adminTokenParameter) : fixedToken(undefined) },
  limits: config.limits,
  reloadCheckEveryMs: config.reloadCheckMs,
  ...(predictionLog ? { predictionSink: predictionLog.sink } : {}),
  ...(s3 && config.registry.kind === 's3' && config.docsAssetsPrefix ? { docsAssets: s3DocsAssets(s3, config.registry.bucket, config.docsAssetsPrefix) } : {}),
});

const answer = handle(app);

export const handler: typeof answer = async (event, context) => {
  const response = await answer(event, context);
  await predictionLog?.flush();
  return response;
};
