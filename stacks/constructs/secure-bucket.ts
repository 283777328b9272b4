/**
 * An S3 bucket with the security baseline every brewlake bucket gets: public access
 * blocked, encryption at rest, TLS-only access, bucket-owner object ownership, versioning
 * where asked, and lifecycle rules.
 */
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { policyDocument } from './policy';

export interface SecureBucketProps {
  readonly bucketPrefix: string;
  readonly versioned: boolean;
  readonly lifecycleRules: S3BucketLifecycleConfigurationRule[];
  /** Let `terraform destroy` delete the bucket with every object version in it (opt-in only). */
  readonly forceDestroy: boolean;
}

export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy });
    const bucket = this.bucket.id;
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket,
      policy: policyDocument([
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principal: '*',
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    });
    new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: props.versioned ? 'Enabled' : 'Suspended' } });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket, rule: props.lifecycleRules });
  }
}
