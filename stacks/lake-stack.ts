/**
 * The lake, top to bottom as the architecture diagram draws it: storage, the stream, the
 * ingest Lambda on its schedule, the Firehose streams (raw, cleaned through the transform,
 * and the prediction log), the Glue catalog, Athena, and the alarms that watch it all.
 */
import { AthenaNamedQuery } from '@cdktn/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktn/provider-aws/lib/athena-workgroup';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktn/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchLogStream } from '@cdktn/provider-aws/lib/cloudwatch-log-stream';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { GlueCatalogDatabase } from '@cdktn/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktn/provider-aws/lib/glue-catalog-table';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { KinesisFirehoseDeliveryStream } from '@cdktn/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KinesisStream } from '@cdktn/provider-aws/lib/kinesis-stream';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription';
import { TerraformOutput, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { deliveryStreams, errorsPrefix, firehoseErrorPrefixExpression, firehosePrefixExpression } from '../glue/layout';
import { savedQueries } from '../glue/saved-queries';
import { beersView, cleanedBeerTable, lakeTables, predictionLogTable, rawBeerTable, type TableDefinition } from '../glue/schema';
import { beersViewSql } from '../glue/views';
import { addAwsProvider } from './aws-provider';
import { zoneFormatOf, type StackConfig } from './config';
import { addStateBackend } from './state-backend';
import { BundledFunction } from './constructs/bundled-function';
import { assumeRolePolicy, policyDocument, regionalRoleName, type PolicyStatement } from './constructs/policy';
import { SecureBucket } from './constructs/secure-bucket';
import { athenaViewInput, glueTableInput } from './glue-tables';
import { ingestLambdaEnv } from './lambda-environment';
import { formatConversionFailedPrefix, parquetDelivery } from './parquet-delivery';

/** Names other stacks (and people) find the lake's parts by. */
export const lakeNames = (prefix: string) => ({
  stream: `${prefix}-beers`,
  /** The prediction log's Firehose (Direct PUT): the serving Lambda writes to it. */
  predictionLog: `${prefix}-${deliveryStreams.predictionLog.name}`,
  database: `${prefix.replaceAll('-', '_')}_lake`,
  workgroup: `${prefix}-analysts`,
  ingest: `${prefix}-ingest`,
  transform: `${prefix}-transform`,
});

/**
 * Firehose's defaults for a Lambda processor (S3 destinations). hashicorp/aws never stores a
 * parameter at its default value, so one written out anyway is planned again on every run:
 * a second plan is never empty (found by `make verify_aws`). Only other values are written.
 */
export const lambdaProcessorDefaults: Readonly<Record<string, string>> = { NumberOfRetries: '3', BufferSizeInMBs: '1', BufferIntervalInSeconds: '60' };

export const nonDefaultProcessorParameters = (parameters: Record<string, string>) =>
  Object.entries(parameters)
    .filter(([name, value]) => lambdaProcessorDefaults[name] !== value)
    .map(([parameterName, parameterValue]) => ({ parameterName, parameterValue }));

export class LakeStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const names = lakeNames(config.namePrefix);
    addAwsProvider(this, config.region);
    addStateBackend(this, config);
    const account = new DataAwsCallerIdentity(this, 'account');

    // ---- storage: one lake bucket (its keys are the local lake folder's), Athena results
    const lake = new SecureBucket(this, 'lake', {
      bucketPrefix: `${config.namePrefix}-lake-`,
      versioned: true,
      forceDestroy: config.forceDestroy,
      lifecycleRules: [
        { id: 'raw-to-infrequent-access', status: 'Enabled', filter: [{ prefix: rawBeerTable.prefix }], transition: [{ days: 30, storageClass: 'STANDARD_IA' }, { days: 180, storageClass: 'GLACIER_IR' }] },
        { id: 'expire-errors', status: 'Enabled', filter: [{ prefix: errorsPrefix }], expiration: [{ days: 90 }] },
        { id: 'expire-old-versions', status: 'Enabled', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays: 30 }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
      ],
    }).bucket;
    const results = new SecureBucket(this, 'athena-results', {
      bucketPrefix: `${config.namePrefix}-athena-results-`,
      versioned: false,
      forceDestroy: config.forceDestroy,
      lifecycleRules: [{ id: 'expire-results', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 30 }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
    }).bucket;

    // ---- the stream
    const streamMode = config.kinesisShards === 0 ? { streamModeDetails: { streamMode: 'ON_DEMAND' } } : { shardCount: config.kinesisShards, streamModeDetails: { streamMode: 'PROVISIONED' } };
    const stream = new KinesisStream(this, 'stream', { name: names.stream, retentionPeriod: 24, encryptionType: 'KMS', kmsKeyId: 'alias/aws/kinesis', ...streamMode });

    // ---- ingest: a Lambda on a schedule, writing to the stream
    const ingest = new BundledFunction(this, 'ingest', {
      handler: 'ingest',
      functionName: names.ingest,
      description: 'Polls the PunkAPI (or replays the bundled catalogue) into the Kinesis stream',
      environment: { [ingestLambdaEnv.source]: config.ingestSource, [ingestLambdaEnv.mode]: config.ingestMode, [ingestLambdaEnv.streamName]: stream.name },
      timeoutSeconds: 120,
      memoryMb: 256,
      region: config.region,
      logRetentionDays: config.logRetentionDays,
      permissions: [{ sid: 'PutBeers', actions: ['kinesis:PutRecord', 'kinesis:PutRecords'], resources: [stream.arn] }],
    });
    const schedule = new CloudwatchEventRule(this, 'ingest-schedule', { name: `${names.ingest}-schedule`, scheduleExpression: config.schedule, description: 'The ingest tick' });
    new CloudwatchEventTarget(this, 'ingest-target', { rule: schedule.name, arn: ingest.function.arn });
    new LambdaPermission(this, 'ingest-invoke', {
      statementId: 'AllowSchedule',
      action: 'lambda:InvokeFunction',
      functionName: ingest.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: schedule.arn,
    });

    // ---- the transform Lambda (Firehose invokes it)
    const transform = new BundledFunction(this, 'transform', {
      handler: 'transform',
      functionName: names.transform,
      description: 'Firehose transformation: raw PunkAPI beers into the cleaned table',
      timeoutSeconds: 60,
      memoryMb: 512,
      region: config.region,
      logRetentionDays: config.logRetentionDays,
    });

    // ---- Glue: the catalogue of every table, from glue/schema.ts
    const database = new GlueCatalogDatabase(this, 'database', { name: names.database, description: 'brewlake: PunkAPI beers, predictions and the prediction log' });
    const tables = new Map<string, GlueCatalogTable>();
    for (const table of lakeTables) {
      // A zone's table and its delivery stream agree on the format (zoneFormatOf, for both).
      tables.set(table.name, new GlueCatalogTable(this, `table-${table.name}`, { databaseName: database.name, ...glueTableInput(table, lake.bucket, zoneFormatOf(config, table.name)) }));
    }
    new GlueCatalogTable(this, 'view-beers', {
      databaseName: database.name,
      ...athenaViewInput({ name: beersView.name, description: beersView.description, sql: beersViewSql, columns: cleanedBeerTable.columns }, names.database),
      dependsOn: [tables.get(cleanedBeerTable.name)!],
    });
    // No crawler: every table uses partition projection, so Athena never reads catalogued
    // partitions and a crawler would only spend money (and need glue:* via AWSGlueServiceRole).

    // ---- Firehose: raw as collected, cleaned through the transform, both reading the stream;
    // the prediction log written to directly (Direct PUT) by the serving Lambda. A zone set to
    // Parquet (cleaned, the prediction log: the default) converts through its Glue table.
    const firehoseLogs = new CloudwatchLogGroup(this, 'firehose-logs', { name: `/aws/kinesisfirehose/${config.namePrefix}`, retentionInDays: config.logRetentionDays });
    const deliveryStream = (name: string, source: KinesisStream | 'direct-put', table: TableDefinition, transformed: boolean) => {
      const logStream = new CloudwatchLogStream(this, `firehose-${name}-log-stream`, { name, logGroupName: firehoseLogs.name });
      const role = new IamRole(this, `firehose-${name}-role`, { name: regionalRoleName(`${config.namePrefix}-firehose-${name}`, config.region), assumeRolePolicy: assumeRolePolicy('firehose.amazonaws.com') });
      const parquet =
        zoneFormatOf(config, table.name) === 'parquet'
          ? parquetDelivery({ table, glueTable: tables.get(table.name)!, database: names.database, region: config.region, accountId: account.accountId, roleArn: role.arn })
          : undefined;
      const statements: PolicyStatement[] = [
        ...(source === 'direct-put'
          ? []
          : [{ sid: 'ReadSource', actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'], resources: [source.arn] }]),
        { sid: 'FindBucket', actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [lake.arn] },
        { sid: 'WriteZone', actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'], resources: [`${lake.arn}/${table.prefix}*`, `${lake.arn}/${errorsPrefix}*`] },
        { sid: 'Log', actions: ['logs:PutLogEvents'], resources: [`${firehoseLogs.arn}:log-stream:${name}`] },
      ];
      if (transformed) {
        statements.push({ sid: 'InvokeTransform', actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], resources: [transform.function.arn, `${transform.function.arn}:*`] });
      }
      if (parquet) statements.push(parquet.readTableSchema);
      const policy = new IamRolePolicy(this, `firehose-${name}-policy`, { role: role.id, name: 'least-privilege', policy: policyDocument(statements) });
      return new KinesisFirehoseDeliveryStream(this, `firehose-${name}`, {
        name: `${config.namePrefix}-${name}`,
        destination: 'extended_s3',
        // A Kinesis source is encrypted by its stream; Direct PUT records by Firehose itself.
        ...(source === 'direct-put'
          ? { serverSideEncryption: { enabled: true, keyType: 'AWS_OWNED_CMK' } }
          : { kinesisSourceConfiguration: { kinesisStreamArn: source.arn, roleArn: role.arn } }),
        extendedS3Configuration: {
          roleArn: role.arn,
          bucketArn: lake.arn,
          prefix: firehosePrefixExpression(table.prefix),
          // Records the transform refused, or conversion could not convert, land under errors/<error-output-type>/.
          errorOutputPrefix: firehoseErrorPrefixExpression,
          bufferingSize: parquet ? parquet.bufferingSize(config.buffer.sizeMb) : config.buffer.sizeMb,
          bufferingInterval: config.buffer.intervalSeconds,
          cloudwatchLoggingOptions: { enabled: true, logGroupName: firehoseLogs.name, logStreamName: logStream.name },
          ...(transformed
            ? {
                processingConfiguration: {
                  enabled: true,
                  processors: [
                    {
                      type: 'Lambda',
                      parameters: [
                        { parameterName: 'LambdaArn', parameterValue: `${transform.function.arn}:$LATEST` },
                        ...nonDefaultProcessorParameters({ BufferSizeInMBs: String(config.processorBuffer.sizeMb), BufferIntervalInSeconds: String(config.processorBuffer.intervalSeconds) }),
                      ],
                    },
                  ],
                },
              }
            : {}),
          ...(parquet ? { dataFormatConversionConfiguration: parquet.dataFormatConversionConfiguration } : {}),
        },
        dependsOn: [policy],
      });
    };
    const rawStream = deliveryStream('raw', stream, rawBeerTable, false);
    const cleanedStream = deliveryStream('cleaned', stream, cleanedBeerTable, true);
    const predictionLogDelivery = deliveryStream(deliveryStreams.predictionLog.name, 'direct-put', predictionLogTable, false);

    // ---- Athena: a workgroup for analysts, every saved query as a named query
    const workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: names.workgroup,
      description: 'brewlake analysts: results encrypted, scans capped',
      forceDestroy: true,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athenaBytesScannedCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: { outputLocation: `s3://${results.bucket}/`, encryptionConfiguration: { encryptionOption: 'SSE_S3' } },
      },
    });
    for (const query of savedQueries()) {
      new AthenaNamedQuery(this, `query-${query.name}`, { name: query.name, description: query.description.slice(0, 1024), database: database.name, workgroup: workgroup.name, query: query.sql });
    }

    // ---- alarms: delivery stalls, records the transform refused, Lambda errors
    // CloudWatch cannot publish to a topic under the AWS-managed alias/aws/sns key (its policy
    // cannot be changed): the topic gets its own key whose policy lets CloudWatch use it.
    const alarmKey = new KmsKey(this, 'alarms-key', {
      description: `${config.namePrefix}: encrypts the alarms topic; CloudWatch may use it to publish`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: policyDocument([
        // The account keeps full control of its key (AWS's default key policy): without it the key becomes unmanageable.
        { sid: 'AccountAdministersKey', principal: { AWS: `arn:aws:iam::${account.accountId}:root` }, actions: ['kms:*'], resources: ['*'] },
        {
          sid: 'CloudWatchPublishesAlarms',
          principal: { Service: 'cloudwatch.amazonaws.com' },
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          condition: { StringEquals: { 'aws:SourceAccount': account.accountId } },
        },
      ]),
    });
    new KmsAlias(this, 'alarms-key-alias', { name: `alias/${config.namePrefix}-alarms`, targetKeyId: alarmKey.keyId });
    const topic = new SnsTopic(this, 'alarms', { name: `${config.namePrefix}-alarms`, kmsMasterKeyId: alarmKey.arn });
    if (config.alarmEmail) new SnsTopicSubscription(this, 'alarm-email', { topicArn: topic.arn, protocol: 'email', endpoint: config.alarmEmail });
    const alarm = (id: string, props: { description: string; namespace: string; metricName: string; dimensions: Record<string, string>; statistic: string; threshold: number; comparisonOperator: string }) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${config.namePrefix}-${id}`,
        alarmDescription: props.description,
        namespace: props.namespace,
        metricName: props.metricName,
        dimensions: props.dimensions,
        statistic: props.statistic,
        period: 300,
        evaluationPeriods: 1,
        threshold: props.threshold,
        comparisonOperator: props.comparisonOperator,
        treatMissingData: 'notBreaching',
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      });
    for (const [name, delivery] of [['raw', rawStream], ['cleaned', cleanedStream], ['prediction-log', predictionLogDelivery]] as const) {
      alarm(`firehose-${name}-delivery-failures`, {
        description: `Firehose ${name}: deliveries to S3 are failing`,
        namespace: 'AWS/Firehose',
        metricName: 'DeliveryToS3.Success',
        dimensions: { DeliveryStreamName: delivery.name },
        statistic: 'Minimum',
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
      });
      alarm(`firehose-${name}-data-freshness`, {
        description: `Firehose ${name}: the oldest undelivered record is over 15 minutes old`,
        namespace: 'AWS/Firehose',
        metricName: 'DeliveryToS3.DataFreshness',
        dimensions: { DeliveryStreamName: delivery.name },
        statistic: 'Maximum',
        threshold: 900,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
    // A record conversion cannot read lands in errors/format-conversion-failed/, not in the
    // zone: without this alarm a schema mismatch would empty a Parquet zone in silence.
    for (const [name, delivery, table] of [['cleaned', cleanedStream, cleanedBeerTable], ['prediction-log', predictionLogDelivery, predictionLogTable]] as const) {
      if (zoneFormatOf(config, table.name) !== 'parquet') continue;
      alarm(`firehose-${name}-conversion-failed`, {
        description: `Firehose ${name}: records failed Parquet conversion (see ${formatConversionFailedPrefix})`,
        namespace: 'AWS/Firehose',
        metricName: 'FailedConversion.Records',
        dimensions: { DeliveryStreamName: delivery.name },
        statistic: 'Sum',
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
    // The transform logs one WARN line per ProcessingFailed record: count them.
    new CloudwatchLogMetricFilter(this, 'processing-failed-filter', {
      name: `${config.namePrefix}-processing-failed`,
      logGroupName: transform.logGroup.name,
      pattern: '{ $.level = "WARN" && $.recordId = * }',
      metricTransformation: { name: 'ProcessingFailed', namespace: 'brewlake', value: '1', defaultValue: '0' },
    });
    alarm('transform-processing-failed', {
      description: 'The transform marked records ProcessingFailed (see errors/processing-failed/ and its log)',
      namespace: 'brewlake',
      metricName: 'ProcessingFailed',
      dimensions: {},
      statistic: 'Sum',
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
    for (const fn of [ingest, transform]) {
      alarm(`${fn.node.id}-errors`, {
        description: `Lambda ${fn.node.id} failed`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: fn.function.functionName },
        statistic: 'Sum',
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }

    // ---- what a person needs next
    const outputs: Record<string, string> = {
      lake_bucket: lake.bucket,
      athena_results_bucket: results.bucket,
      stream_name: stream.name,
      prediction_log_delivery_stream: predictionLogDelivery.name,
      glue_database: database.name,
      athena_workgroup: workgroup.name,
      ingest_function: ingest.function.functionName,
      transform_function: transform.function.functionName,
      alarm_topic: topic.arn,
      alarm_key: alarmKey.arn,
    };
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(this, name, { value });
  }
}
