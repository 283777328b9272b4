/**
 * The model in AWS: a versioned, encrypted models bucket (the registry: artifacts, lineage,
 * the promotion pointer) and the serving Lambda behind a function URL, which reads the admin
 * token from SSM Parameter Store (a parameter this stack names but never holds). Training
 * runs on Athena (`brewlake train --engine athena`) and publishes into the bucket; the Lambda
 * notices a promotion by itself.
 */
import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { LambdaFunctionUrl } from '@cdktn/provider-aws/lib/lambda-function-url';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { TerraformOutput, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { addAwsProvider } from './aws-provider';
import type { StackConfig } from './config';
import { addStateBackend } from './state-backend';
import { BundledFunction } from './constructs/bundled-function';
import { SecureBucket } from './constructs/secure-bucket';
import { lakeNames } from './lake-stack';
import { serveLambdaEnv } from './lambda-environment';

/** The registry's prefix in the models bucket; Swagger UI's files sit beside it. */
export const modelsPrefix = 'models/';
export const docsAssetsPrefix = 'docs/swagger-ui-dist/';
/** The SSM parameter (SecureString) holding the admin token; created by stacks/deploy.sh, not Terraform. */
export const adminTokenParameterName = (prefix: string) => `/${prefix}/admin-token`;

export class ModelStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    addAwsProvider(this, config.region);
    addStateBackend(this, config);
    const account = new DataAwsCallerIdentity(this, 'account');
    // The prediction log's stream lives in the lake stack, under its conventional name.
    const names = lakeNames(config.namePrefix);

    const models = new SecureBucket(this, 'models', {
      bucketPrefix: `${config.namePrefix}-models-`,
      // Every artifact version is kept: rollback is promoting an older one.
      versioned: true,
      forceDestroy: config.forceDestroy,
      lifecycleRules: [{ id: 'expire-old-versions', status: 'Enabled', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays: 365 }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
    }).bucket;

    // The admin token is a SecureString that Terraform never creates or reads, so its value is
    // in neither this JSON nor the state: stacks/deploy.sh creates it with a generated value
    // when absent (and never overwrites one). The stack knows only its name.
    const tokenParameter = adminTokenParameterName(config.namePrefix);
    const tokenParameterArn = `arn:aws:ssm:${config.region}:${account.accountId}:parameter${tokenParameter}`;

    const serve = new BundledFunction(this, 'serve', {
      handler: 'serve',
      functionName: `${config.namePrefix}-serve`,
      description: 'IBU predictions over HTTP (the same Hono app as `npx brewlake serve`)',
      environment: {
        [serveLambdaEnv.modelsBucket]: models.bucket,
        [serveLambdaEnv.modelsPrefix]: modelsPrefix,
        [serveLambdaEnv.adminTokenParameter]: tokenParameter,
        [serveLambdaEnv.docsAssetsPrefix]: docsAssetsPrefix,
        [serveLambdaEnv.predictionLogDeliveryStream]: names.predictionLog,
        [serveLambdaEnv.requireTokenForPredict]: String(config.requireTokenForPredict),
      },
      reservedConcurrency: config.serveReservedConcurrency,
      timeoutSeconds: 30,
      memoryMb: 1024,
      region: config.region,
      logRetentionDays: config.logRetentionDays,
      permissions: [
        { sid: 'ListRegistry', actions: ['s3:ListBucket'], resources: [models.arn] },
        // Retrain stores a new version and promotion moves the pointer: read and write, within the bucket.
        { sid: 'ReadWriteRegistry', actions: ['s3:GetObject', 's3:PutObject'], resources: [`${models.arn}/${modelsPrefix}*`] },
        { sid: 'ReadDocsAssets', actions: ['s3:GetObject'], resources: [`${models.arn}/${docsAssetsPrefix}*`] },
        { sid: 'ReadAdminToken', actions: ['ssm:GetParameter'], resources: [tokenParameterArn] },
        // SecureString under the account's aws/ssm key: decrypt only through SSM, only this parameter.
        {
          sid: 'DecryptAdminToken',
          actions: ['kms:Decrypt'],
          resources: [`arn:aws:kms:${config.region}:${account.accountId}:key/*`],
          condition: { StringEquals: { 'kms:ViaService': `ssm.${config.region}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': tokenParameterArn } },
        },
        { sid: 'LogPredictions', actions: ['firehose:PutRecordBatch'], resources: [`arn:aws:firehose:${config.region}:${account.accountId}:deliverystream/${names.predictionLog}`] },
      ],
    });
    // Open like the API it serves: /predict needs no token by default (BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT=true
    // changes that), admin routes check theirs; reserved concurrency caps what a flood can cost.
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
    new TerraformOutput(this, 'admin_token_parameter', { value: tokenParameter });
    new TerraformOutput(this, 'serve_function', { value: serve.function.functionName });
  }
}
