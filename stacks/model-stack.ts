/**
 * The model in AWS: a versioned, encrypted models bucket (the registry: artifacts, lineage,
 * the promotion pointer), the serving Lambda behind a function URL, and the admin token in
 * SSM Parameter Store. Training runs on Athena (`brewlake train --engine athena`) and
 * publishes into the bucket; the Lambda notices a promotion by itself.
 */
import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { LambdaFunctionUrl } from '@cdktn/provider-aws/lib/lambda-function-url';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { TerraformOutput, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { addAwsProvider } from './aws-provider';
import type { StackConfig } from './config';
import { BundledFunction } from './constructs/bundled-function';
import { SecureBucket } from './constructs/secure-bucket';
import { serveLambdaEnv } from '../lambdas/serve/lambda-config';
import { lakeNames } from './lake-stack';

/** The registry's prefix in the models bucket; Swagger UI's files sit beside it. */
export const modelsPrefix = 'models/';
export const docsAssetsPrefix = 'docs/swagger-ui-dist/';

export class ModelStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    addAwsProvider(this, config.region);
    const account = new DataAwsCallerIdentity(this, 'account');
    // The prediction log's stream lives in the lake stack, under its conventional name.
    const names = lakeNames(config.namePrefix);

    const models = new SecureBucket(this, 'models', {
      bucketPrefix: `${config.namePrefix}-models-`,
      // Every artifact version is kept: rollback is promoting an older one.
      versioned: true,
      lifecycleRules: [{ id: 'expire-old-versions', status: 'Enabled', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays: 365 }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
    }).bucket;

    // Created with a placeholder; set the real token out of band (see docs/deploy.md), so it never sits in Terraform state.
    const token = new SsmParameter(this, 'admin-token', {
      name: `/${config.namePrefix}/admin-token`,
      type: 'SecureString',
      value: 'change-me',
      description: 'Bearer token for POST /retrain and /models/{version}/promote',
      lifecycle: { ignoreChanges: ['value'] },
    });

    const serve = new BundledFunction(this, 'serve', {
      handler: 'serve',
      functionName: `${config.namePrefix}-serve`,
      description: 'IBU predictions over HTTP (the same Hono app as `brewlake serve`)',
      environment: {
        [serveLambdaEnv.modelsBucket]: models.bucket,
        [serveLambdaEnv.modelsPrefix]: modelsPrefix,
        [serveLambdaEnv.adminTokenParameter]: token.name,
        [serveLambdaEnv.docsAssetsPrefix]: docsAssetsPrefix,
        [serveLambdaEnv.predictionLogDeliveryStream]: names.predictionLog,
      },
      timeoutSeconds: 30,
      memoryMb: 1024,
      logRetentionDays: config.logRetentionDays,
      permissions: [
        { sid: 'ListRegistry', actions: ['s3:ListBucket'], resources: [models.arn] },
        // Retrain stores a new version and promotion moves the pointer: read and write, within the bucket.
        { sid: 'ReadWriteRegistry', actions: ['s3:GetObject', 's3:PutObject'], resources: [`${models.arn}/${modelsPrefix}*`] },
        { sid: 'ReadDocsAssets', actions: ['s3:GetObject'], resources: [`${models.arn}/${docsAssetsPrefix}*`] },
        { sid: 'ReadAdminToken', actions: ['ssm:GetParameter'], resources: [token.arn] },
        { sid: 'LogPredictions', actions: ['firehose:PutRecordBatch'], resources: [`arn:aws:firehose:${config.region}:${account.accountId}:deliverystream/${names.predictionLog}`] },
      ],
    });
    // Open like the API it serves: /predict needs no token by default, admin routes check theirs.
    const url = new LambdaFunctionUrl(this, 'url', { functionName: serve.function.functionName, authorizationType: 'NONE' });
    // Since October 2025 a public function URL needs both grants: InvokeFunctionUrl for the URL,
    // and InvokeFunction limited to calls that come through it (provider >= 6.29); with one, it answers 403.
    new LambdaPermission(this, 'url-public', {
      statementId: 'FunctionUrlPublicAccess',
      action: 'lambda:InvokeFunctionUrl',
      functionName: serve.function.functionName,
      principal: '*',
      functionUrlAuthType: 'NONE',
    });
    new LambdaPermission(this, 'url-invoke', {
      statementId: 'FunctionUrlInvokeFunction',
      action: 'lambda:InvokeFunction',
      functionName: serve.function.functionName,
      principal: '*',
      invokedViaFunctionUrl: true,
    });

    new TerraformOutput(this, 'endpoint', { value: url.functionUrl });
    new TerraformOutput(this, 'models_bucket', { value: models.bucket });
    new TerraformOutput(this, 'registry', { value: `s3://${models.bucket}/${modelsPrefix}` });
    new TerraformOutput(this, 'docs_assets', { value: `s3://${models.bucket}/${docsAssetsPrefix}` });
    new TerraformOutput(this, 'admin_token_parameter', { value: token.name });
    new TerraformOutput(this, 'serve_function', { value: serve.function.functionName });
  }
}
