/**
 * The synthesized Terraform JSON is the contract: these tests read it as Terraform will,
 * and hold every resource of a kind to the security baseline (so a new bucket, role or
 * stream without it fails here), and check the wiring between the parts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { glueType } from '../glue/column-types';
import { savedQueries } from '../glue/saved-queries';
import { errorsPrefix } from '../glue/layout';
import { cleanedBeerTable, lakeTables, predictionLogTable } from '../glue/schema';
import { ingestLambdaEnv, serveLambdaEnv } from './lambda-environment';
import { serveLambdaConfig } from '../lambdas/serve/lambda-config';
import { recordFormatFromEnv } from '../local/firehose/record-format-conversion';
import { readStackConfig, stackConfigEnv, StackConfigError } from './config';
import { lambdaRuntime } from './constructs/bundled-function';
import { lambdaProcessorDefaults } from './lake-stack';
import { repoRoot } from './lambda-bundle';
import { buildApp, stackIds } from './main';
import { adminTokenParameterName } from './model-stack';
import { formatConversionFailedPrefix } from './parquet-delivery';

type Resources = Record<string, Record<string, Record<string, any>>>;
interface Synth {
  resource: Resources;
  output: Record<string, unknown>;
}

function synth(env: Record<string, string> = {}): Record<keyof typeof stackIds, Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-'));
  buildApp(readStackConfig(env), outdir).synth();
  const read = (id: string) => JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as Synth;
  return { lake: read(stackIds.lake), model: read(stackIds.model) };
}

const all = (s: Synth, type: string) => Object.entries(s.resource[type] ?? {});
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;

let stacks: Record<keyof typeof stackIds, Synth>;
let both: Synth[];
beforeAll(() => {
  stacks = synth();
  both = [stacks.lake, stacks.model];
});

describe('the security baseline, for every resource of its kind', () => {
  it('every bucket blocks public access, is encrypted, TLS-only, owner-enforced, versioned or not on purpose, with lifecycle rules', () => {
    let buckets = 0;
    for (const s of both) {
      for (const [name] of all(s, 'aws_s3_bucket')) {
        buckets++;
        const id = ref('aws_s3_bucket', name, 'id');
        const on = (type: string) => all(s, type).filter(([, r]) => r.bucket === id).map(([, r]) => r);
        expect(on('aws_s3_bucket_public_access_block'), name).toEqual([
          expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
        ]);
        expect(on('aws_s3_bucket_server_side_encryption_configuration')[0]?.rule[0].apply_server_side_encryption_by_default.sse_algorithm, name).toMatch(/AES256|aws:kms/);
        const policy = JSON.parse(on('aws_s3_bucket_policy')[0]?.policy ?? '{}');
        expect(policy.Statement, name).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
        expect(on('aws_s3_bucket_ownership_controls')[0]?.rule.object_ownership, name).toBe('BucketOwnerEnforced');
        expect(on('aws_s3_bucket_versioning'), name).toHaveLength(1);
        expect(on('aws_s3_bucket_lifecycle_configuration')[0]?.rule.length, name).toBeGreaterThan(0);
        // checkov CKV_AWS_300: parts of a failed multipart upload are billed until a rule aborts them.
        expect(on('aws_s3_bucket_lifecycle_configuration')[0]?.rule.some((r: { abort_incomplete_multipart_upload?: unknown[] }) => (r.abort_incomplete_multipart_upload ?? []).length > 0), name).toBe(true);
      }
    }
    expect(buckets).toBe(3); // lake, athena results, models
  });

  it('every Kinesis stream is encrypted with KMS, and every Firehose fed directly encrypts what it holds', () => {
    for (const [name, stream] of all(stacks.lake, 'aws_kinesis_stream')) expect(stream.encryption_type, name).toBe('KMS');
    const direct = all(stacks.lake, 'aws_kinesis_firehose_delivery_stream').filter(([, f]) => !f.kinesis_source_configuration);
    expect(direct.map(([n]) => n)).toEqual(['firehose-prediction-log']);
    for (const [name, f] of direct) expect(f.server_side_encryption, name).toEqual({ enabled: true, key_type: 'AWS_OWNED_CMK' });
  });

  // Resources AWS offers nothing narrower for. Empty: nothing here needs "*".
  const starResourceAllowList: string[] = [];

  it('no role policy allows a wildcard action, or a "*" resource outside the commented allow-list', () => {
    for (const s of both) {
      for (const [name, p] of all(s, 'aws_iam_role_policy')) {
        for (const statement of JSON.parse(p.policy).Statement) {
          for (const action of statement.Action) expect(action, `${name}: ${action}`).not.toMatch(/\*/);
          for (const resource of statement.Resource) if (resource === '*') expect(starResourceAllowList, name).toContain(name);
        }
      }
    }
  });

  it('one role per function and per delivery stream, none shared', () => {
    const roles = [
      ...both.flatMap((s) => all(s, 'aws_lambda_function').map(([, f]) => f.role)),
      ...all(stacks.lake, 'aws_kinesis_firehose_delivery_stream').map(([, f]) => f.extended_s3_configuration.role_arn),
    ];
    expect(roles).toHaveLength(6);
    for (const [name, f] of all(stacks.lake, 'aws_kinesis_firehose_delivery_stream')) if (f.kinesis_source_configuration) expect(f.kinesis_source_configuration.role_arn, name).toBe(f.extended_s3_configuration.role_arn);
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('every Lambda runs on Node.js 22 and logs JSON into its own log group', () => {
    const functions = both.flatMap((s) => all(s, 'aws_lambda_function'));
    expect(functions.map(([n]) => n.split('_')[0]).sort()).toEqual(['ingest', 'serve', 'transform']);
    for (const [name, f] of functions) {
      expect(f.runtime, name).toBe(lambdaRuntime);
      expect(f.logging_config.log_format, name).toBe('JSON');
    }
  });
});

describe('the wiring', () => {
  it('the cleaned Firehose invokes the transform Lambda; raw has no processor; both read the beer stream', () => {
    const firehoses = Object.fromEntries(all(stacks.lake, 'aws_kinesis_firehose_delivery_stream'));
    const transform = all(stacks.lake, 'aws_lambda_function').find(([n]) => n.startsWith('transform'))![0];
    const processor = firehoses['firehose-cleaned']!.extended_s3_configuration.processing_configuration.processors[0];
    expect(processor.type).toBe('Lambda');
    expect(processor.parameters).toContainEqual({ parameter_name: 'LambdaArn', parameter_value: `${ref('aws_lambda_function', transform, 'arn')}:$LATEST` });
    // hashicorp/aws stores no parameter at Firehose's default: one written out would be planned again on every run.
    for (const p of processor.parameters) expect(lambdaProcessorDefaults[p.parameter_name], p.parameter_name).not.toBe(p.parameter_value);
    expect(firehoses['firehose-raw']!.extended_s3_configuration.processing_configuration).toBeUndefined();
    for (const name of ['firehose-raw', 'firehose-cleaned']) expect(firehoses[name]!.kinesis_source_configuration.kinesis_stream_arn).toBe(ref('aws_kinesis_stream', 'stream', 'arn'));
    expect(firehoses['firehose-cleaned']!.extended_s3_configuration.prefix).toBe('cleaned/!{timestamp:yyyy/MM/dd/HH}/');
  });

  it('the serving Lambda writes its prediction log to the prediction-log Firehose, and may do nothing else with it', () => {
    const [, log] = all(stacks.lake, 'aws_kinesis_firehose_delivery_stream').find(([n]) => n === 'firehose-prediction-log')!;
    expect(log.extended_s3_configuration.prefix).toBe('prediction_log/!{timestamp:yyyy/MM/dd/HH}/');
    const [serveName, serve] = all(stacks.model, 'aws_lambda_function').find(([n]) => n.startsWith('serve'))!;
    expect(serve.environment.variables[serveLambdaEnv.predictionLogDeliveryStream], serveName).toBe(log.name);
    const statements = all(stacks.model, 'aws_iam_role_policy').flatMap(([, p]) => JSON.parse(p.policy).Statement as { Sid?: string; Action: string[]; Resource: string[] }[]);
    const logging = statements.filter((s) => s.Action.some((a) => a.startsWith('firehose:')));
    expect(logging).toEqual([expect.objectContaining({ Action: ['firehose:PutRecordBatch'], Resource: [expect.stringMatching(new RegExp(`:deliverystream/${log.name}$`))] })]);
  });

  it('the Glue tables have exactly the columns and types of glue/schema.ts', () => {
    const tables = Object.fromEntries(all(stacks.lake, 'aws_glue_catalog_table'));
    for (const table of lakeTables) {
      const glue = tables[`table-${table.name}`]!;
      expect(glue.storage_descriptor.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual(table.columns.map((c) => [c.name, glueType(c.type)]));
      expect(glue.parameters['projection.enabled']).toBe('true');
    }
    expect(tables['view-beers']!.table_type).toBe('VIRTUAL_VIEW');
  });

  it('every saved query is an Athena named query in the workgroup', () => {
    const named = all(stacks.lake, 'aws_athena_named_query').map(([, q]) => [q.name, q.query]);
    expect(named.sort()).toEqual(savedQueries().map((q) => [q.name, q.sql]).sort());
  });

  it('the workgroup enforces encrypted results and a scan cutoff', () => {
    const [[, wg]] = all(stacks.lake, 'aws_athena_workgroup') as [[string, any]];
    expect(wg.configuration.enforce_workgroup_configuration).toBe(true);
    expect(wg.configuration.result_configuration.encryption_configuration.encryption_option).toBe('SSE_S3');
    expect(wg.configuration.bytes_scanned_cutoff_per_query).toBe(10 * 1024 ** 3);
  });

  it('the schedule and the ingest settings follow the configuration, under the names the handler reads', () => {
    const custom = synth({ BREWLAKE_SCHEDULE: 'rate(1 hour)', BREWLAKE_MODE: 'random:3' }).lake;
    expect(all(custom, 'aws_cloudwatch_event_rule')[0]![1].schedule_expression).toBe('rate(1 hour)');
    expect(all(stacks.lake, 'aws_cloudwatch_event_rule')[0]![1].schedule_expression).toBe('rate(5 minutes)');
    const ingest = all(custom, 'aws_lambda_function').find(([n]) => n.startsWith('ingest'))![1];
    expect(Object.keys(ingest.environment.variables).sort()).toEqual([ingestLambdaEnv.mode, ingestLambdaEnv.source, ingestLambdaEnv.streamName].sort());
    expect(ingest.environment.variables[ingestLambdaEnv.mode]).toBe('random:3');
    const serve = all(stacks.model, 'aws_lambda_function')[0]![1];
    for (const name of Object.keys(serve.environment.variables)) expect(Object.values(serveLambdaEnv)).toContain(name);
  });

  it('alarms watch every delivery stream, the transform ProcessingFailed count and each lake Lambda', () => {
    const alarms = all(stacks.lake, 'aws_cloudwatch_metric_alarm').map(([, a]) => a.metric_name);
    expect(alarms.filter((m) => m === 'DeliveryToS3.Success')).toHaveLength(3);
    expect(alarms).toContain('ProcessingFailed');
    expect(alarms.filter((m) => m === 'Errors')).toHaveLength(2);
    expect(all(synth({ BREWLAKE_ALARM_EMAIL: 'ops@example.com' }).lake, 'aws_sns_topic_subscription')).toHaveLength(1);
  });

  it('each Parquet zone has an alarm on records that failed conversion, on its own stream; a JSON zone has none', () => {
    const conversionAlarms = (lake: Synth) =>
      all(lake, 'aws_cloudwatch_metric_alarm')
        .filter(([, a]) => a.metric_name === 'FailedConversion.Records')
        .map(([, a]) => a.dimensions.DeliveryStreamName as string)
        .sort();
    const streamName = (id: string) => ref('aws_kinesis_firehose_delivery_stream', id, 'name');
    expect(conversionAlarms(stacks.lake)).toEqual([streamName('firehose-cleaned'), streamName('firehose-prediction-log')]);
    expect(conversionAlarms(synth({ BREWLAKE_PREDICTION_LOG_FORMAT: 'json' }).lake)).toEqual([streamName('firehose-cleaned')]);
    expect(conversionAlarms(synth({ BREWLAKE_CLEANED_FORMAT: 'json', BREWLAKE_PREDICTION_LOG_FORMAT: 'json' }).lake)).toEqual([]);
  });

});

describe('columnar zones: cleaned and the prediction log are Parquet by default, each with its own switch', () => {
  const zones = [
    { zone: 'cleaned', table: cleanedBeerTable, stream: 'firehose-cleaned', variable: 'BREWLAKE_CLEANED_FORMAT', setting: 'cleanedFormat' },
    { zone: 'prediction_log', table: predictionLogTable, stream: 'firehose-prediction-log', variable: 'BREWLAKE_PREDICTION_LOG_FORMAT', setting: 'predictionLogFormat' },
  ] as const;
  const streamOf = (lake: Synth, name: string) => Object.fromEntries(all(lake, 'aws_kinesis_firehose_delivery_stream'))[name]!;
  const glueTableOf = (lake: Synth, zone: string) => Object.fromEntries(all(lake, 'aws_glue_catalog_table'))[`table-${zone}`]!;
  /** The statements of the role a delivery stream writes with. */
  const roleStatementsOf = (lake: Synth, stream: Record<string, any>) => {
    const roleName = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(stream.extended_s3_configuration.role_arn)![1]!;
    return all(lake, 'aws_iam_role_policy')
      .filter(([, p]) => p.role === ref('aws_iam_role', roleName, 'id'))
      .flatMap(([, p]) => JSON.parse(p.policy).Statement as { Sid?: string; Action: string[]; Resource: string[] }[]);
  };
  const schemaReads = (statements: { Action: string[]; Resource: string[] }[]) => statements.filter((s) => s.Action.some((a) => a.startsWith('glue:')));

  it.each(zones)('$zone: by default Firehose converts it to Parquet through its own Glue table, with the 64 MiB buffer conversion requires', ({ zone, stream: name }) => {
    const stream = streamOf(stacks.lake, name);
    const s3 = stream.extended_s3_configuration;
    expect(s3.data_format_conversion_configuration).toEqual({
      enabled: true,
      input_format_configuration: { deserializer: { open_x_json_ser_de: {} } },
      output_format_configuration: { serializer: { parquet_ser_de: { compression: 'SNAPPY' } } },
      // The schema is the zone's own Glue table (a reference, so the table exists first), read with the stream's role.
      schema_configuration: {
        database_name: ref('aws_glue_catalog_table', `table-${zone}`, 'database_name'),
        table_name: ref('aws_glue_catalog_table', `table-${zone}`, 'name'),
        role_arn: s3.role_arn,
        region: 'eu-west-1',
      },
    });
    // BREWLAKE_BUFFER_MB is 5 by default: raised for conversion, the interval left as set.
    expect(s3.buffering_size).toBe(64);
    expect(s3.buffering_interval).toBe(300);
    const sd = glueTableOf(stacks.lake, zone).storage_descriptor;
    expect([sd.ser_de_info.serialization_library, sd.input_format, sd.output_format]).toEqual([
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    ]);
  });

  it.each(zones)("$zone: the stream's role may read that Glue table's schema, and that table only", ({ zone, stream: name }) => {
    const reads = schemaReads(roleStatementsOf(stacks.lake, streamOf(stacks.lake, name)));
    expect(reads).toHaveLength(1);
    expect([...reads[0]!.Action].sort()).toEqual(['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions']);
    const glue = 'arn:aws:glue:eu-west-1:${data.aws_caller_identity.account.account_id}';
    expect(reads[0]!.Resource).toEqual([`${glue}:catalog`, `${glue}:database/brewlake_lake`, `${glue}:table/brewlake_lake/${zone}`]);
  });

  it.each(zones)('$zone: records conversion cannot convert go to errors/format-conversion-failed/, which the role may write', ({ stream: name }) => {
    const stream = streamOf(stacks.lake, name);
    const failed = stream.extended_s3_configuration.error_output_prefix.replace('!{firehose:error-output-type}', 'format-conversion-failed');
    expect(failed).toBe('errors/format-conversion-failed/!{timestamp:yyyy/MM/dd/HH}/');
    expect(failed.startsWith(formatConversionFailedPrefix)).toBe(true);
    const lakeArn = (stacks.lake.output.lake_bucket as { value: string }).value.replace(/\.bucket\}$/, '.arn}');
    const writes = roleStatementsOf(stacks.lake, stream).find((s) => s.Action.includes('s3:PutObject'))!;
    expect(writes.Resource).toContain(`${lakeArn}/${errorsPrefix}*`);
  });

  it.each(zones)('$zone: json turns conversion off for that zone only: JSON lines under the JSON SerDe, the configured buffer, no Glue read', ({ zone, stream: name, variable }) => {
    const lake = synth({ [variable]: 'json' }).lake;
    const s3 = streamOf(lake, name).extended_s3_configuration;
    expect(s3.data_format_conversion_configuration).toBeUndefined();
    expect(s3.buffering_size).toBe(5);
    expect(glueTableOf(lake, zone).storage_descriptor.ser_de_info.serialization_library).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(schemaReads(roleStatementsOf(lake, streamOf(lake, name)))).toEqual([]);
    const other = zones.find((z) => z.zone !== zone)!;
    expect(streamOf(lake, other.stream).extended_s3_configuration.data_format_conversion_configuration?.enabled).toBe(true);
    expect(glueTableOf(lake, other.zone).storage_descriptor.ser_de_info.serialization_library).toMatch(/ParquetHiveSerDe/);
  });

  it('raw stays JSON lines as collected, whatever the settings: no conversion, no Glue read', () => {
    const raw = streamOf(stacks.lake, 'firehose-raw');
    expect(raw.extended_s3_configuration.data_format_conversion_configuration).toBeUndefined();
    expect(schemaReads(roleStatementsOf(stacks.lake, raw))).toEqual([]);
    expect(glueTableOf(stacks.lake, 'raw').storage_descriptor.ser_de_info.serialization_library).toBe('org.openx.data.jsonserde.JsonSerDe');
  });

  it('a buffer set above the minimum is kept when converting', () => {
    expect(streamOf(synth({ BREWLAKE_BUFFER_MB: '100' }).lake, 'firehose-prediction-log').extended_s3_configuration.buffering_size).toBe(100);
  });

  it.each(zones)('$variable is the name the local delivery loop reads too, with the same values (locally JSON lines unless set)', ({ table, variable, setting }) => {
    expect(readStackConfig({ [variable]: 'json' })[setting]).toBe('json');
    expect(recordFormatFromEnv(table, { [variable]: 'parquet' })).toEqual({ kind: 'parquet', table });
    expect(recordFormatFromEnv(table, {})).toEqual({ kind: 'json' });
  });
});

describe('a public function URL that answers', () => {
  it('grants the pair AWS requires: InvokeFunctionUrl for an unauthenticated URL, and InvokeFunction only via the URL', () => {
    const [[urlName, url]] = all(stacks.model, 'aws_lambda_function_url') as [[string, any]];
    expect(url.authorization_type).toBe('NONE');
    const grants = all(stacks.model, 'aws_lambda_permission').map(([, p]) => p).filter((p) => p.function_name === url.function_name);
    expect(grants, urlName).toHaveLength(2);
    expect(grants).toContainEqual(expect.objectContaining({ action: 'lambda:InvokeFunctionUrl', principal: '*', function_url_auth_type: 'NONE' }));
    expect(grants).toContainEqual(expect.objectContaining({ action: 'lambda:InvokeFunction', principal: '*', invoked_via_function_url: true }));
    // The open InvokeFunction grant must never be usable except through the URL.
    for (const p of grants.filter((g) => g.action === 'lambda:InvokeFunction')) expect(p.invoked_via_function_url).toBe(true);
  });
});

describe('alarms that can notify', () => {
  it('the alarms topic is encrypted with a customer-managed, rotating key whose policy lets CloudWatch publish', () => {
    const [[topicName, topic]] = all(stacks.lake, 'aws_sns_topic') as [[string, any]];
    expect(topic.kms_master_key_id, topicName).not.toMatch(/^alias\/aws\//);
    const keyName = /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(topic.kms_master_key_id)?.[1];
    expect(keyName, 'the topic names a key of this stack').toBeDefined();
    const key = stacks.lake.resource.aws_kms_key![keyName!]!;
    expect(key.enable_key_rotation).toBe(true);
    const statements = JSON.parse(key.policy).Statement as { Effect: string; Principal?: { Service?: string }; Action: string[] }[];
    const cloudwatch = statements.filter((s) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatch.flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    // Every alarm notifies that topic.
    for (const [name, alarm] of all(stacks.lake, 'aws_cloudwatch_metric_alarm')) expect(alarm.alarm_actions, name).toEqual([ref('aws_sns_topic', topicName, 'arn')]);
  });
});

describe('no crawler, no glue:*', () => {
  it('partition projection makes a crawler useless: none is defined, and no policy anywhere grants glue:* or attaches a managed policy', () => {
    for (const s of both) {
      expect(Object.keys(s.resource.aws_glue_crawler ?? {})).toEqual([]);
      expect(Object.keys(s.resource.aws_iam_role_policy_attachment ?? {})).toEqual([]);
      const json = JSON.stringify(s);
      expect(json.includes('glue:*'), 'glue:* granted').toBe(false);
      expect(json.includes('AWSGlueServiceRole'), 'AWSGlueServiceRole attached').toBe(false);
    }
    for (const [name, t] of all(stacks.lake, 'aws_glue_catalog_table')) if (t.table_type !== 'VIRTUAL_VIEW') expect(t.parameters['projection.enabled'], name).toBe('true');
  });
});

describe('the admin token never passes through Terraform', () => {
  it('no SSM parameter is created and no token value (placeholder or otherwise) is in the JSON; the Lambda gets only the name and may read and decrypt only it', () => {
    for (const s of both) {
      expect(Object.keys(s.resource.aws_ssm_parameter ?? {})).toEqual([]);
      expect(/change-?me|value_wo/i.test(JSON.stringify(s)), 'a token value or placeholder in the JSON').toBe(false);
    }
    const [, serve] = all(stacks.model, 'aws_lambda_function').find(([n]) => n.startsWith('serve'))!;
    const parameter = serve.environment.variables[serveLambdaEnv.adminTokenParameter];
    expect(parameter).toBe(adminTokenParameterName('brewlake'));
    const statements = all(stacks.model, 'aws_iam_role_policy').flatMap(([, p]) => JSON.parse(p.policy).Statement as { Action: string[]; Resource: string[]; Condition?: any }[]);
    const read = statements.filter((s) => s.Action.some((a) => a.startsWith('ssm:')));
    expect(read).toEqual([expect.objectContaining({ Action: ['ssm:GetParameter'], Resource: [expect.stringMatching(new RegExp(`:parameter${parameter}$`))] })]);
    const decrypt = statements.filter((s) => s.Action.includes('kms:Decrypt'));
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0]!.Condition.StringEquals['kms:ViaService']).toMatch(/^ssm\./);
    expect(decrypt[0]!.Condition.StringEquals['kms:EncryptionContext:PARAMETER_ARN']).toBe(read[0]!.Resource[0]);
  });
});

describe('the public function is throttled, and /predict can require the token', () => {
  const serveOf = (s: Synth) => all(s, 'aws_lambda_function').find(([n]) => n.startsWith('serve'))![1];

  it('reserves concurrency for the serving Lambda (10 by default, configurable, off on request)', () => {
    expect(serveOf(stacks.model).reserved_concurrent_executions).toBe(10);
    expect(serveOf(synth({ BREWLAKE_SERVE_CONCURRENCY: '25' }).model).reserved_concurrent_executions).toBe(25);
    expect(serveOf(synth({ BREWLAKE_SERVE_CONCURRENCY: 'off' }).model).reserved_concurrent_executions).toBeUndefined();
  });

  it.each(['0', '-1', '2.5', '1001', 'lots'])('refuses BREWLAKE_SERVE_CONCURRENCY=%s, naming the setting', (value) => {
    expect(() => readStackConfig({ BREWLAKE_SERVE_CONCURRENCY: value })).toThrow(/^BREWLAKE_SERVE_CONCURRENCY: expected a whole number/);
  });

  it('/predict is public by default; BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT=true reaches the Lambda as the switch it reads', () => {
    expect(serveOf(stacks.model).environment.variables[serveLambdaEnv.requireTokenForPredict]).toBe('false');
    const locked = serveOf(synth({ BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT: 'true' }).model).environment.variables;
    expect(serveLambdaConfig({ ...locked, [serveLambdaEnv.modelsBucket]: 'b' }).limits.requireTokenForPredict).toBe(true);
    expect(() => readStackConfig({ BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT: 'yes' })).toThrow(/^BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT: expected true or false/);
  });
});

describe('IAM role names, global, do not collide across regions', () => {
  it('every role name carries its region, so one prefix in two regions gives disjoint, valid names', () => {
    const roleNames = (region: string) => Object.values(synth({ AWS_REGION: region })).flatMap((s) => all(s, 'aws_iam_role').map(([, r]) => r.name as string));
    const ireland = roleNames('eu-west-1');
    const singapore = roleNames('ap-southeast-1');
    expect(ireland).toHaveLength(6);
    for (const name of ireland) expect(name).toContain('eu-west-1');
    expect(ireland.filter((n) => singapore.includes(n))).toEqual([]);
    const longest = roleNames('ap-southeast-3').concat(Object.values(synth({ AWS_REGION: 'ap-southeast-3', BREWLAKE_NAME_PREFIX: 'a'.repeat(21) })).flatMap((s) => all(s, 'aws_iam_role').map(([, r]) => r.name as string)));
    for (const name of longest) expect(name.length, name).toBeLessThanOrEqual(64);
  });
});

describe('configuration', () => {
  it.each([
    [{ BREWLAKE_SCHEDULE: 'every 5 minutes' }, /BREWLAKE_SCHEDULE: expected rate/],
    [{ BREWLAKE_KINESIS_SHARDS: '-1' }, /BREWLAKE_KINESIS_SHARDS/],
    [{ BREWLAKE_CLEANED_FORMAT: 'csv' }, /^BREWLAKE_CLEANED_FORMAT: expected json or parquet, got "csv"$/],
    [{ BREWLAKE_PREDICTION_LOG_FORMAT: 'orc' }, /^BREWLAKE_PREDICTION_LOG_FORMAT: expected json or parquet, got "orc"$/],
    [{ BREWLAKE_PREDICTION_LOG_FORMAT: 'Parquet' }, /^BREWLAKE_PREDICTION_LOG_FORMAT: expected json or parquet, got "Parquet"$/],
    [{ BREWLAKE_LOG_RETENTION_DAYS: '10' }, /BREWLAKE_LOG_RETENTION_DAYS: expected one of/],
    [{ BREWLAKE_NAME_PREFIX: 'Brew Lake' }, /BREWLAKE_NAME_PREFIX/],
    [{ BREWLAKE_SOURCE: 'punkapi' }, /BREWLAKE_SOURCE/],
    [{ AWS_REGION: 'Ireland' }, /^AWS_REGION: expected an AWS region/],
    [{ BREWLAKE_FORCE_DESTROY: 'yes' }, /^BREWLAKE_FORCE_DESTROY: expected 1/],
  ])('names the setting and what it accepts: %j', (env, message) => {
    expect(() => readStackConfig(env)).toThrow(StackConfigError);
    expect(() => readStackConfig(env)).toThrow(message);
  });

  it('the Athena scan cutoff is a whole number of bytes, within Athena\'s bounds, for every GB value the setting accepts', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1024, noNaN: true }), (gb) => {
        const cutoff = readStackConfig({ BREWLAKE_ATHENA_SCAN_LIMIT_GB: String(gb) }).athenaBytesScannedCutoff;
        expect(Number.isSafeInteger(cutoff)).toBe(true);
        expect(Math.abs(cutoff - gb * 1024 ** 3)).toBeLessThanOrEqual(0.5);
        expect(cutoff).toBeGreaterThanOrEqual(10 * 1024 ** 2);
      }),
    );
  });

  it('BREWLAKE_ATHENA_SCAN_LIMIT_GB=0.3 synthesizes an integer cutoff', () => {
    const [[, wg]] = all(synth({ BREWLAKE_ATHENA_SCAN_LIMIT_GB: '0.3' }).lake, 'aws_athena_workgroup') as [[string, any]];
    expect(wg.configuration.bytes_scanned_cutoff_per_query).toBe(322122547);
  });

  it("docs/deploy.md's Settings table has a row for every setting, and gives the zone formats' defaults as they are", () => {
    const rows = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    for (const variable of Object.values(stackConfigEnv)) expect(rows.some(([, names]) => names!.includes(`\`${variable}\``)), variable).toBe(true);
    const defaults = readStackConfig({});
    for (const key of ['cleanedFormat', 'predictionLogFormat'] as const) {
      expect(rows.find(([, names]) => names === `\`${stackConfigEnv[key]}\``)?.[2], stackConfigEnv[key]).toBe(`\`${defaults[key]}\``);
    }
  });

  it('deploys as it is with no settings at all', () => {
    expect(readStackConfig({})).toMatchObject({ namePrefix: 'brewlake', schedule: 'rate(5 minutes)', ingestSource: 'bundled', kinesisShards: 0, cleanedFormat: 'parquet', predictionLogFormat: 'parquet' });
  });
});
