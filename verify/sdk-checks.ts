/**
 * The SDK paths against moto, through the code that runs in AWS: the ingest handler's
 * PutRecords, `brewlake train --engine athena` and `brewlake promote` (the steps of `make
 * deploy_model`), and the serving Lambda's deployed bundle invoked with function-URL events.
 * No mocks: every client is the SDK's own, pointed at moto by AWS_ENDPOINT_URL (the SDK's
 * standard setting) or by the endpoint option the handlers already take.
 */
import { GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDuckDbLake } from '../glue/duckdb';
import { savedQuery } from '../glue/saved-queries';
import { predictionLogTable } from '../glue/schema';
import { handler as ingestHandler } from '../lambdas/ingest/handler';
import { beerRecord } from '../lambdas/ingest/put-beer-records';
import { createKinesisClient } from '../lambdas/kinesis-client';
import { catalogue } from '../lambdas/punkapi/catalogue';
import { functionUrlEvent } from '../lambdas/serve/function-url-event.test-support';
import { cleanedCatalogue } from '../lambdas/serve/registry-fixture.test-support';
import { serveLambdaEnv } from '../stacks/lambda-environment';
import { openRegistry } from '../model/open-registry';
import { hashRows, trainingRowOf } from '../model/training-data';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { athenaQueryResults } from './athena-results';
import { motoAccountId } from './moto-server';

/** What the checks run against: names from the stacks' outputs (or the stand-ins' names). */
export interface AwsUnderTest {
  readonly endpoint: string;
  readonly region: string;
  readonly lakeBucket: string;
  readonly stream: string;
  readonly predictionLogDeliveryStream: string;
  readonly database: string;
  readonly workgroup: string;
  /** `s3://bucket/prefix/` */
  readonly registry: string;
  readonly adminTokenParameter: string;
  /** The serving Lambda's environment as deployed. */
  readonly serveEnvironment: Readonly<Record<string, string>>;
}

export interface CheckResult {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
  readonly seconds: number;
}

export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

const expect = (ok: boolean, reason: string) => {
  if (!ok) throw new CheckFailed(reason);
};

async function timed(name: string, body: () => Promise<string>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await body();
    return { name, pass: true, detail, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const detail = error instanceof CheckFailed ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    return { name, pass: false, detail, seconds: (performance.now() - started) / 1000 };
  }
}

/** The SDK's standard settings that send every client in this process (and its children) to moto. */
export function sdkEnvironment(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'verify',
    AWS_SECRET_ACCESS_KEY: 'verify',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

async function readWholeStream(kinesis: KinesisClient, stream: string) {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const records: { key: string; data: Buffer }[] = [];
  for (const shard of shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const r of page.Records ?? []) records.push({ key: r.PartitionKey!, data: Buffer.from(r.Data!) });
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return { shards: shards.length, records };
}

/** The ingest handler backfills the catalogue into the stream; GetRecords must give back every record, byte for byte. */
export const checkIngest = (aws: AwsUnderTest) =>
  timed('ingest → Kinesis → GetRecords', async () => {
    const env = { BREWLAKE_STREAM_NAME: aws.stream, BREWLAKE_SOURCE: 'bundled', BREWLAKE_MODE: 'backfill', BREWLAKE_KINESIS_ENDPOINT: aws.endpoint };
    Object.assign(process.env, env);
    let summary;
    try {
      summary = await ingestHandler({});
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
    const { shards, records } = await readWholeStream(createKinesisClient({ endpoint: aws.endpoint, region: aws.region }), aws.stream);
    expect(summary.put === catalogue.length, `the handler put ${summary.put} of ${catalogue.length} beers`);
    expect(records.length === summary.put, `put ${summary.put}, read back ${records.length} from ${shards} shard(s)`);
    const expected = new Map(catalogue.map((beer) => [String(beer.id), Buffer.from(beerRecord(beer).Data)]));
    const wrong = records.filter((r) => !expected.get(r.key)?.equals(r.data));
    expect(wrong.length === 0, `${wrong.length} record(s) differ from what was put (first: partition key ${wrong[0]?.key})`);
    expect(new Set(records.map((r) => r.key)).size === expected.size, 'some beers came back twice and others not at all');
    return `${summary.put} beers put in ${summary.putCalls} PutRecords call(s), ${records.length} read back from ${shards} shard(s), byte-equal, keyed by beer id`;
  });

function runCli(args: readonly string[], env: Record<string, string>, cwd: string, timeoutMs = 15 * 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/brewlake.mjs', ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** The training set as DuckDB answers the saved query on a lake of the whole catalogue: what Athena would answer on the same lake. */
async function trainingSetFromDuckDb() {
  const lakeDir = mkdtempSync(join(tmpdir(), 'brewlake-verify-lake-'));
  try {
    await writeCatalogueLake(lakeDir);
    const engine = await openDuckDbLake(lakeDir);
    try {
      return await engine.query(savedQuery('training-set').sql);
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(lakeDir, { recursive: true, force: true });
  }
}

/**
 * `brewlake train --engine athena`, as `make deploy_model` runs it: moto's Athena answers the
 * training-set query with DuckDB's result on the same data (queued through moto's API); the
 * versions must land in the S3 registry with the same rows and data hash DuckDB gives.
 */
export const checkTrainOnAthena = (aws: AwsUnderTest, repoRoot: string) =>
  timed('train --engine athena → S3 registry', async () => {
    const result = await trainingSetFromDuckDb();
    const expectedHash = hashRows(result.rows.map(trainingRowOf));
    const queued = await fetch(`${aws.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: motoAccountId, region: aws.region, results: [athenaQueryResults(result)] }),
    });
    expect(queued.status === 201, `moto refused the queued Athena result: HTTP ${queued.status}`);
    const run = await runCli(['train', '--engine', 'athena', '--workgroup', aws.workgroup, '--database', aws.database, '--registry', aws.registry, '--json'], sdkEnvironment(aws.endpoint, aws.region), repoRoot);
    expect(run.code === 0, `brewlake train exited ${run.code}: ${lastLine(run.stderr) || lastLine(run.stdout)}`);

    const athena = new AthenaClient({});
    const ids = (await athena.send(new ListQueryExecutionsCommand({ WorkGroup: aws.workgroup }))).QueryExecutionIds ?? [];
    const queries = await Promise.all(ids.map(async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution));
    const trainingQueries = queries.filter((q) => q?.Query === savedQuery('training-set').sql && q.QueryExecutionContext?.Database === aws.database);
    expect(trainingQueries.length === 1, `expected the training-set query once in workgroup ${aws.workgroup} on ${aws.database}, found ${trainingQueries.length} of ${ids.length} queries`);

    const versions = (await openRegistry(aws.registry).list()).filter((v) => v.lineage.engine === 'athena');
    expect(versions.length === 2, `expected 2 versions trained on athena in ${aws.registry}, found ${versions.length}`);
    for (const v of versions) {
      expect(v.lineage.rows === result.rows.length, `${v.version}: trained on ${v.lineage.rows} rows, DuckDB has ${result.rows.length}`);
      expect(v.lineage.dataHash === expectedHash, `${v.version}: data hash ${v.lineage.dataHash.slice(0, 12)} differs from DuckDB's ${expectedHash.slice(0, 12)}: Athena's rows were read differently`);
    }
    const promoted = versions.find((v) => v.promoted);
    expect(promoted !== undefined, 'train promoted no version');
    return `${versions.length} versions (${versions.map((v) => v.lineage.featureSet).join(', ')}) from ${result.rows.length} Athena rows, data hash equal to DuckDB's; promoted ${promoted!.version}`;
  });

/**
 * `brewlake promote` to another version and back (a rollback), through the pointer's
 * conditional writes; then S3 must refuse a write with a stale ETag, the race those
 * conditions guard against.
 */
export const checkPromoteAndRollback = (aws: AwsUnderTest, repoRoot: string) =>
  timed('promote, roll back (conditional writes)', async () => {
    const env = sdkEnvironment(aws.endpoint, aws.region);
    const registry = openRegistry(aws.registry);
    const before = await registry.promotedVersion();
    const versions = (await registry.list()).map((v) => v.version);
    const other = versions.find((v) => v !== before);
    expect(before !== null && other !== undefined, `need a promoted version and another one in ${aws.registry}; found ${versions.length} version(s), promoted ${before}`);
    for (const version of [other!, before!]) {
      const run = await runCli(['promote', version, '--registry', aws.registry], env, repoRoot);
      expect(run.code === 0, `brewlake promote ${version} exited ${run.code}: ${lastLine(run.stderr)}`);
      const now = await registry.promotedVersion();
      expect(now === version, `after promote ${version} the registry serves ${now}`);
    }
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(aws.registry)!;
    const pointer = `${match[2]}PROMOTED`;
    const s3 = new S3Client({});
    const refused = async (condition: { IfMatch?: string; IfNoneMatch?: string }) => {
      try {
        await s3.send(new PutObjectCommand({ Bucket: match[1], Key: pointer, Body: '{"version":"stale"}', ...condition }));
        return false;
      } catch (error) {
        return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;
      }
    };
    expect(await refused({ IfMatch: '"00000000000000000000000000000000"' }), 'S3 accepted a pointer write with a stale If-Match: the promotion race is not guarded');
    expect(await refused({ IfNoneMatch: '*' }), 'S3 accepted If-None-Match: * over an existing pointer: the first promotion race is not guarded');
    expect((await registry.promotedVersion()) === before, 'a refused write changed the pointer');
    return `promoted ${other}, rolled back to ${before}; stale If-Match and If-None-Match: * both refused (412)`;
  });

type Handler = (event: LambdaFunctionURLEvent) => Promise<APIGatewayProxyResultV2>;
type Answer = { statusCode: number; body: string };

/**
 * The serving Lambda's bundle as the model stack deployed it (the asset zip), invoked
 * in-process with function-URL events and the environment the stack set: its model from
 * the S3 registry, its token from SSM, its prediction log into the Direct PUT Firehose,
 * which delivers into the lake bucket.
 */
export const checkServeLambda = (aws: AwsUnderTest, options: { bundleZip: string; unpackDir: string }) =>
  timed('serving Lambda bundle (S3, SSM, Firehose)', async () => {
    const registry = openRegistry(aws.registry);
    const versions = (await registry.list()).map((v) => v.version);
    const promoted = await registry.promotedVersion();
    expect(promoted !== null && versions.length >= 2, `the registry needs a promoted model and another version (train runs first); has ${versions.length}, promoted ${promoted}`);
    const other = versions.find((v) => v !== promoted)!;

    const token = randomBytes(24).toString('base64url');
    await new SSMClient({}).send(new PutParameterCommand({ Name: aws.adminTokenParameter, Value: token, Type: 'SecureString', Overwrite: true }));

    rmSync(options.unpackDir, { recursive: true, force: true });
    mkdirSync(options.unpackDir, { recursive: true });
    execFileSync('unzip', ['-q', '-o', options.bundleZip, '-d', options.unpackDir]);
    // As deployed, except that the pointer is re-checked on every request (so a promotion shows at once).
    Object.assign(process.env, aws.serveEnvironment, { [serveLambdaEnv.reloadCheckMs]: '0' });
    const { handler } = (await import(pathToFileURL(join(options.unpackDir, 'index.mjs')).href)) as { handler: Handler };
    const call = async (event: LambdaFunctionURLEvent) => (await handler(event)) as Answer;

    const health = await call(functionUrlEvent('GET', '/health'));
    expect(health.statusCode === 200, `GET /health answered ${health.statusCode}: ${health.body.slice(0, 200)}`);
    const { id: _id, name: _name, hops, ...beer } = cleanedCatalogue[0]!;
    const request = [{ ...beer, hops: hops.map(({ stage: _s, ...h }) => h) }];
    const predict = async () => {
      const res = await call(functionUrlEvent('POST', '/predict', request));
      expect(res.statusCode === 200, `POST /predict answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      return JSON.parse(res.body) as { model_version: string; predictions: { ibu: number }[] };
    };
    const first = await predict();
    expect(first.model_version === promoted, `served ${first.model_version}, the registry promotes ${promoted}`);
    expect(Number.isFinite(first.predictions[0]?.ibu), `no finite IBU in ${JSON.stringify(first).slice(0, 200)}`);

    const wrong = await call(functionUrlEvent('POST', `/models/${other}/promote`, undefined, { authorization: 'Bearer not-the-token' }));
    expect(wrong.statusCode === 401 || wrong.statusCode === 403, `a wrong token was answered ${wrong.statusCode}`);
    const right = await call(functionUrlEvent('POST', `/models/${other}/promote`, undefined, { authorization: `Bearer ${token}` }));
    expect(right.statusCode === 200, `the SSM token was refused: ${right.statusCode} ${right.body.slice(0, 200)}`);
    expect((await registry.promotedVersion()) === other, `after POST /models/${other}/promote the registry promotes ${await registry.promotedVersion()}`);
    const second = await predict();
    expect(second.model_version === other, `after promotion the Lambda still served ${second.model_version}`);
    await registry.promote(promoted!);

    const logged = await loggedPredictions(aws.lakeBucket);
    const found = [first, second].every((answer) => logged.some((row) => row.model_version === answer.model_version && row.predicted_ibu === answer.predictions[0]!.ibu));
    expect(found, `the prediction log delivered ${logged.length} row(s) under s3://${aws.lakeBucket}/${predictionLogTable.prefix}, not both predictions`);
    return `served ${promoted} then ${other} after an SSM-token promotion (wrong token ${wrong.statusCode}); ${logged.length} prediction-log row(s) delivered by Firehose into s3://${aws.lakeBucket}/${predictionLogTable.prefix}`;
  });

async function loggedPredictions(bucket: string): Promise<{ model_version?: string; predicted_ibu?: number }[]> {
  const s3 = new S3Client({});
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: predictionLogTable.prefix }));
  const rows: { model_version?: string; predicted_ibu?: number }[] = [];
  for (const object of listed.Contents ?? []) {
    const text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))).Body!.transformToString();
    for (const line of text.split('\n')) if (line.trim()) rows.push(JSON.parse(line) as { model_version?: string; predicted_ibu?: number });
  }
  return rows;
}
