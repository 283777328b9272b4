/**
 * docs/deploy.md's deployer IAM table against what the provider calls for each resource type
 * the stacks synthesize, and what stacks/deploy.sh and the documented teardown call. The calls
 * are read from the hashicorp/aws source of the built provider (internal/service/<service>/
 * tags_gen.go, tags.go and the resources' CRUD functions): with default tags on the provider,
 * every taggable resource has its tags read on each refresh and written on create.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStackConfig } from './config';
import { repoRoot } from './lambda-bundle';
import { buildApp, stackIds } from './main';

const providerCalls: Record<string, readonly string[]> = {
  aws_s3_bucket: ['s3:CreateBucket', 's3:DeleteBucket', 's3:ListBucketVersions', 's3:TagResource', 's3:UntagResource', 's3:ListTagsForResource', 's3:GetBucketTagging'],
  aws_s3_bucket_policy: ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'],
  aws_kinesis_stream: ['kinesis:CreateStream', 'kinesis:DeleteStream', 'kinesis:ListTagsForResource', 'kinesis:ListTagsForStream', 'kinesis:TagResource', 'kinesis:UntagResource', 'kinesis:AddTagsToStream', 'kinesis:RemoveTagsFromStream'],
  aws_kinesis_firehose_delivery_stream: ['firehose:CreateDeliveryStream', 'firehose:DeleteDeliveryStream', 'firehose:ListTagsForDeliveryStream', 'firehose:TagDeliveryStream', 'firehose:UntagDeliveryStream'],
  aws_lambda_function: ['lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:ListTags', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
  aws_lambda_function_url: ['lambda:CreateFunctionUrlConfig', 'lambda:GetFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig', 'lambda:DeleteFunctionUrlConfig'],
  aws_lambda_permission: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
  aws_iam_role: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:ListRoleTags', 'iam:TagRole', 'iam:UntagRole'],
  aws_cloudwatch_log_group: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:ListTagsForResource', 'logs:TagResource', 'logs:UntagResource'],
  aws_cloudwatch_metric_alarm: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:ListTagsForResource', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
  aws_cloudwatch_event_rule: ['events:PutRule', 'events:DeleteRule', 'events:ListTagsForResource', 'events:TagResource', 'events:UntagResource'],
  aws_glue_catalog_database: ['glue:CreateDatabase', 'glue:DeleteDatabase', 'glue:GetTags', 'glue:TagResource', 'glue:UntagResource'],
  aws_athena_workgroup: ['athena:CreateWorkGroup', 'athena:DeleteWorkGroup', 'athena:ListTagsForResource', 'athena:TagResource', 'athena:UntagResource'],
  aws_sns_topic: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:ListTagsForResource', 'sns:TagResource', 'sns:UntagResource'],
  aws_sns_topic_subscription: ['sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes', 'sns:ListSubscriptionsByTopic'],
  aws_kms_key: ['kms:CreateKey', 'kms:ScheduleKeyDeletion', 'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource'],
};

/** What stacks/deploy.sh calls, and the teardown step docs/deploy.md gives. */
const scriptCalls = ['sts:GetCallerIdentity', 's3:ListBucketVersions', 'lambda:GetAccountSettings', 'lambda:GetFunctionConcurrency', 'ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'];

const servicePrefix: Record<string, string> = {
  STS: 'sts', S3: 's3', Kinesis: 'kinesis', Firehose: 'firehose', Lambda: 'lambda', IAM: 'iam', 'CloudWatch Logs': 'logs',
  CloudWatch: 'cloudwatch', EventBridge: 'events', Glue: 'glue', Athena: 'athena', SNS: 'sns', KMS: 'kms', SSM: 'ssm',
};

/** The table's actions as `prefix:Action` (wildcards such as `Get*` kept), from docs/deploy.md. */
function documentedActions(): string[] {
  const doc = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8');
  const section = doc.slice(doc.indexOf("### Who may deploy: the deployer's IAM permissions"), doc.indexOf('### State'));
  return section.split('\n').flatMap((line) => {
    const cells = /^\| ([^|]+) \| (.+) \|$/.exec(line);
    const prefix = cells && servicePrefix[cells[1]!.trim()];
    if (!prefix) return [];
    return [...cells![2]!.matchAll(/`([A-Z][A-Za-z]*\*?)`/g)].map((m) => `${prefix}:${m[1]}`);
  });
}

const covers = (documented: readonly string[], action: string) =>
  documented.some((d) => d === action || (d.endsWith('*') && action.startsWith(d.slice(0, -1)) && d.split(':')[0] === action.split(':')[0]));

describe("the deployer's IAM table", () => {
  const documented = documentedActions();
  const outdir = mkdtempSync(join(tmpdir(), 'deployer-iam-'));
  // With the alarm e-mail set, so the subscription is synthesized too.
  buildApp(readStackConfig({ BREWLAKE_ALARM_EMAIL: 'alarms@example.com' }), outdir).synth();
  const types = new Set(Object.values(stackIds).flatMap((id) => Object.keys(JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')).resource)));

  it('is read from docs/deploy.md: one row per service', () => {
    expect(new Set(documented.map((a) => a.split(':')[0]))).toEqual(new Set(Object.values(servicePrefix)));
  });

  it.each(Object.entries(providerCalls))('lists what the provider calls for %s (tags included: default_tags)', (type, calls) => {
    expect(types.has(type), `${type} is no longer synthesized: drop it from this list`).toBe(true);
    expect(calls.filter((c) => !covers(documented, c))).toEqual([]);
  });

  it('lists what stacks/deploy.sh and the documented teardown call', () => {
    expect(scriptCalls.filter((c) => !covers(documented, c))).toEqual([]);
  });
});
