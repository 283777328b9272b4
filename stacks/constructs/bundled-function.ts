/**
 * A Lambda function bundled from one handler file: the esbuild bundle zipped as a
 * Terraform asset, Node.js 22, its own role (allowed to write only its own log group, plus
 * what the caller grants), and its log group with a retention.
 */
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset } from 'cdktn';
import { Construct } from 'constructs';
import { bundleLambda, type LambdaName } from '../lambda-bundle';
import { assumeRolePolicy, policyDocument, regionalRoleName, type PolicyStatement } from './policy';

export const lambdaRuntime = 'nodejs22.x';

export interface BundledFunctionProps {
  readonly handler: LambdaName;
  readonly functionName: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The region the function lives in (its role's name carries it: IAM names are global). */
  readonly region: string;
  readonly logRetentionDays: number;
  /** At most this many concurrent executions (reserved concurrency); unset = the account's unreserved pool. */
  readonly reservedConcurrency?: number | undefined;
  /** What the function may do beyond logging. */
  readonly permissions?: readonly PolicyStatement[];
}

export class BundledFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const bundle = bundleLambda(props.handler);
    const asset = new TerraformAsset(this, 'bundle', { path: bundle.dir, type: AssetType.ARCHIVE });
    this.logGroup = new CloudwatchLogGroup(this, 'logs', { name: `/aws/lambda/${props.functionName}`, retentionInDays: props.logRetentionDays });
    this.role = new IamRole(this, 'role', { name: regionalRoleName(`${props.functionName}-role`, props.region), assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com') });
    new IamRolePolicy(this, 'policy', {
      role: this.role.id,
      name: 'least-privilege',
      policy: policyDocument([
        { sid: 'OwnLogsOnly', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
        ...(props.permissions ?? []),
      ]),
    });
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: lambdaRuntime,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: asset.assetHash,
      timeout: props.timeoutSeconds,
      memorySize: props.memoryMb,
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      ...(props.environment ? { environment: { variables: props.environment } } : {}),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      dependsOn: [this.logGroup],
    });
  }
}
