/**
 * Where moto falls short of an API the hashicorp/aws provider uses for one of our resources:
 * the one reviewed list, each entry naming the resource type, the API call and what moto does.
 * Nothing is skipped silently: `make verify_aws` counts every gap it meets in the summary,
 * and docs/deploy.md ("Verified how") lists them.
 *
 * - `create`: moto cannot create it. The resource, and whatever depends on it, is left out
 *   of a targeted apply.
 * - `read-back`: moto accepts the setting but does not return it, so the provider plans to
 *   set it again. That attribute's change on the second plan is the gap, not drift; any
 *   other change on that resource still fails.
 * - `delete`: moto cannot delete it. It is applied and checked on the second plan, then taken
 *   out of the state (`terraform state rm`) before destroy.
 * - `blocks-sdk`: applied and checked on the second plan, but moto then refuses the SDK checks'
 *   requests that AWS would allow; it is lifted through the SDK before those checks (destroy
 *   then finds it gone, as it would after a manual delete).
 * - `force-destroy`: the forced teardown (`BREWLAKE_FORCE_DESTROY=1`'s path) fails in moto on
 *   one kind of object; only those objects are deleted through the SDK before the destroy, the
 *   rest is left to the provider's `force_destroy`.
 */
export type MotoGap =
  | { readonly kind: 'create'; readonly resourceType: string; readonly api: string; readonly symptom: string }
  | { readonly kind: 'read-back'; readonly resourceType: string; readonly attribute: string; readonly api: string; readonly symptom: string }
  | { readonly kind: 'delete'; readonly resourceType: string; readonly api: string; readonly symptom: string }
  | { readonly kind: 'blocks-sdk'; readonly resourceType: string; readonly api: string; readonly symptom: string }
  | { readonly kind: 'force-destroy'; readonly resourceType: string; readonly api: string; readonly symptom: string };

export const motoGaps: readonly MotoGap[] = [
  {
    kind: 'create',
    resourceType: 'aws_cloudwatch_metric_alarm',
    api: 'cloudwatch:PutMetricAlarm over Smithy RPC v2 CBOR',
    symptom:
      "the provider's CloudWatch client (aws-sdk-go-v2 service/cloudwatch 1.57) speaks Smithy RPC v2 CBOR (POST /service/GraniteServiceVersion20100801/operation/PutMetricAlarm); moto 5.2.5 answers it 404",
  },
  {
    kind: 'read-back',
    resourceType: 'aws_s3_bucket',
    attribute: 'tags_all',
    api: "s3:CreateBucket (CreateBucketConfiguration's Tags)",
    symptom:
      "hashicorp/aws 6.x tags a bucket inside CreateBucket's CreateBucketConfiguration and reads them back with S3 Control's ListTagsForResource; moto 5.2.5 ignores Tags there, so none come back",
  },
  {
    kind: 'read-back',
    resourceType: 'aws_kinesis_stream',
    attribute: 'tags_all',
    api: 'kinesis:CreateStream (Tags)',
    symptom: "moto 5.2.5 ignores CreateStream's Tags, so ListTagsForStream returns none of the default tags",
  },
  {
    kind: 'read-back',
    resourceType: 'aws_lambda_function',
    attribute: 'logging_config',
    api: 'lambda:CreateFunction (LoggingConfig)',
    symptom: 'moto 5.2.5 drops LoggingConfig (JSON log format, log group), so GetFunction returns none',
  },
  {
    kind: 'blocks-sdk',
    resourceType: 'aws_s3_bucket_policy',
    api: 's3:GetObject/PutObject under a bucket policy with a Condition',
    symptom:
      "moto 5.2.5 takes a statement whose Condition does not match for an explicit deny (iam/access_control.py), so the TLS-only statement (Deny s3:* if aws:SecureTransport is false) refuses every object request with an empty 403",
  },
  {
    kind: 'force-destroy',
    resourceType: 'aws_s3_bucket',
    api: 's3:DeleteObjects of a version of a key that has a delete marker, in a bucket whose versioning is suspended',
    symptom:
      "Terraform suspends versioning when it destroys aws_s3_bucket_versioning, before the bucket; force_destroy's DeleteObjects then answers 500 in moto 5.2.5 (AttributeError: 'FakeDeleteMarker' object has no attribute 'dispose', moto/s3/utils.py:132). The delete markers are deleted through the SDK first, while versioning is on; that the provider deletes delete markers is not verified",
  },
  {
    kind: 'delete',
    resourceType: 'aws_athena_named_query',
    api: 'athena:DeleteNamedQuery',
    symptom: 'not implemented in moto 5.2.5 (the provider retries until its timeout)',
  },
];
