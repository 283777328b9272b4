/**
 * When the provider is not in the cache (see docs/deploy.md, "Verified how"), the SDK
 * checks still run: the few resources they touch are created in moto through the SDK, under
 * the names the stacks give them. The summary says which of the two created them.
 */
import { CreateWorkGroupCommand, AthenaClient } from '@aws-sdk/client-athena';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { firehosePrefixExpression } from '../glue/layout';
import { predictionLogTable } from '../glue/schema';
import { createKinesisClient } from '../lambdas/kinesis-client';
import { serveLambdaEnv } from '../stacks/lambda-environment';
import { readStackConfig } from '../stacks/config';
import { lakeNames } from '../stacks/lake-stack';
import { docsAssetsPrefix, modelsPrefix } from '../stacks/model-stack';
import { motoAccountId } from './moto-server';
import type { AwsUnderTest } from './sdk-checks';

export async function createStandIns(endpoint: string): Promise<AwsUnderTest> {
  const config = readStackConfig();
  const names = lakeNames(config.namePrefix);
  const region = config.region;
  const lakeBucket = `${config.namePrefix}-lake-stand-in`;
  const modelsBucket = `${config.namePrefix}-models-stand-in`;
  const adminTokenParameter = `/${config.namePrefix}/admin-token`;

  const s3 = new S3Client({});
  for (const bucket of [lakeBucket, modelsBucket]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }));
  }
  await s3.send(new PutBucketVersioningCommand({ Bucket: modelsBucket, VersioningConfiguration: { Status: 'Enabled' } }));
  // The handlers' own client: HTTP/1.1 to an emulator (the SDK's default Kinesis handler speaks HTTP/2).
  const kinesis = createKinesisClient({ endpoint, region });
  await kinesis.send(new CreateStreamCommand({ StreamName: names.stream, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName: names.stream });
  await new FirehoseClient({}).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: names.predictionLog,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${lakeBucket}`,
        RoleARN: `arn:aws:iam::${motoAccountId}:role/${config.namePrefix}-firehose-stand-in`,
        Prefix: firehosePrefixExpression(predictionLogTable.prefix),
      },
    }),
  );
  await new AthenaClient({}).send(
    new CreateWorkGroupCommand({ Name: names.workgroup, Configuration: { ResultConfiguration: { OutputLocation: `s3://${lakeBucket}/athena-results/` } } }),
  );
  return {
    endpoint,
    region,
    lakeBucket,
    stream: names.stream,
    predictionLogDeliveryStream: names.predictionLog,
    database: names.database,
    workgroup: names.workgroup,
    registry: `s3://${modelsBucket}/${modelsPrefix}`,
    adminTokenParameter,
    serveEnvironment: {
      [serveLambdaEnv.modelsBucket]: modelsBucket,
      [serveLambdaEnv.modelsPrefix]: modelsPrefix,
      [serveLambdaEnv.adminTokenParameter]: adminTokenParameter,
      [serveLambdaEnv.docsAssetsPrefix]: docsAssetsPrefix,
      [serveLambdaEnv.predictionLogDeliveryStream]: names.predictionLog,
    },
  };
}
