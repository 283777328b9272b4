import { CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../stacks/lambda-bundle';
import { motoGaps } from './moto-gaps';
import { startMotoServer, type MotoServer } from './moto-server';
import { classifyChanges, deleteDeleteMarkers, forceDestroyChanges, overrideJson, plannedChanges, providerEndpointServices, recordForceDestroy, terraformErrors, type StackRun, type Terraform } from './terraform-stack';

const applyOutput = `aws_s3_bucket.lake: Creating...
╷
│ Error: creating Glue Crawler (brewlake-lake): operation error Glue: CreateCrawler, https response error StatusCode: 501, api error NotImplemented
│
│   with aws_glue_crawler.crawler,
│   on cdk.tf.json line 812, in resource.aws_glue_crawler.crawler:
│  812:       }
│
╵
╷
│ Error: Invalid provider configuration
│
│ Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.
╵
`;

describe('terraform against moto', () => {
  it("names each error's resource and reason from Terraform's plain output", () => {
    expect(terraformErrors(applyOutput)).toEqual([
      { address: 'aws_glue_crawler.crawler', message: 'creating Glue Crawler (brewlake-lake): operation error Glue: CreateCrawler, https response error StatusCode: 501, api error NotImplemented' },
      { address: undefined, message: 'Invalid provider configuration: Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.' },
    ]);
    expect(terraformErrors('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.')).toEqual([]);
  });

  it('the override sends every service the stacks use to moto, keeps state in the temp folder and needs no real credentials', () => {
    const json = overrideJson({ statePath: '/tmp/x/brewlake-lake.tfstate', endpoint: 'http://127.0.0.1:4000' }) as {
      terraform: { backend: { local: { path: string } } };
      provider: { aws: { endpoints: Record<string, string>[]; skip_credentials_validation: boolean; s3_use_path_style: boolean } };
    };
    expect(json.terraform.backend.local.path).toBe('/tmp/x/brewlake-lake.tfstate');
    expect(Object.keys(json.provider.aws.endpoints[0]!).sort()).toEqual([...providerEndpointServices].sort());
    expect(new Set(Object.values(json.provider.aws.endpoints[0]!))).toEqual(new Set(['http://127.0.0.1:4000']));
    expect(json.provider.aws.skip_credentials_validation && json.provider.aws.s3_use_path_style).toBe(true);
  });
});

describe('the second plan', () => {
  const change = (address: string, actions: string[], before: Record<string, unknown>, after: Record<string, unknown>) => ({ address, type: address.split('.')[0]!, change: { actions, before, after } });
  const plan = {
    resource_changes: [
      change('aws_s3_bucket.lake', ['no-op'], { bucket: 'b' }, { bucket: 'b' }),
      change('aws_kinesis_stream.stream', ['update'], { name: 's', tags_all: {} }, { name: 's', tags_all: { project: 'brewlake' } }),
      change('aws_lambda_function.serve', ['update'], { logging_config: [], timeout: 30 }, { logging_config: [{ log_format: 'JSON' }], timeout: 60 }),
      change('aws_kinesis_firehose_delivery_stream.cleaned', ['update'], { extended_s3_configuration: [{ a: 1 }] }, { extended_s3_configuration: [{ a: 2 }] }),
      change('aws_lambda_function.ingest', ['delete', 'create'], { logging_config: [] }, { logging_config: [{ log_format: 'JSON' }] }),
    ],
  };

  it("is drift unless every attribute a resource would change is a read-back gap of its type, and it is an in-place update", () => {
    const changes = plannedChanges(plan);
    expect(changes.map((c) => c.address)).not.toContain('aws_s3_bucket.lake');
    const { drift, readBackGaps } = classifyChanges(changes, motoGaps);
    expect(readBackGaps.map((g) => `${g.address} ${g.attribute}`)).toEqual(['aws_kinesis_stream.stream tags_all']);
    expect(drift).toEqual([
      'aws_lambda_function.serve: logging_config, timeout (update)',
      'aws_kinesis_firehose_delivery_stream.cleaned: extended_s3_configuration (update)',
      'aws_lambda_function.ingest: logging_config (delete/create)',
    ]);
  });
});

describe("the forced teardown (BREWLAKE_FORCE_DESTROY's path)", () => {
  const applied = {
    terraform: { backend: { local: { path: '../../../.brewlake/state/eu-west-1/brewlake-model.tfstate' } } },
    resource: {
      aws_s3_bucket: { models: { bucket_prefix: 'brewlake-models-', force_destroy: false }, docs: { bucket_prefix: 'brewlake-docs-', force_destroy: false } },
      aws_lambda_function: { serve: { memory_size: 512 } },
    },
  };
  const forced = structuredClone(applied);
  forced.terraform.backend.local.path = '/elsewhere/state.tfstate';
  forced.resource.aws_s3_bucket.models.force_destroy = true;
  forced.resource.aws_s3_bucket.docs.force_destroy = true;

  it('the forced synth may differ from the applied stack only in its buckets\' force_destroy (and the backend the override replaces)', () => {
    expect(forceDestroyChanges(applied, forced)).toEqual(['aws_s3_bucket.models', 'aws_s3_bucket.docs']);
    const other = structuredClone(forced);
    other.resource.aws_lambda_function.serve.memory_size = 1024;
    expect(() => forceDestroyChanges(applied, other)).toThrow(/more than its buckets' force_destroy/);
  });

  /** A stack folder holding `applied`, and a fake terraform that logs its arguments and prints `answer`. */
  function fakeStack(answer: string): { tf: Terraform; stack: StackRun; forcedPath: string; log: string } {
    const dir = mkdtempSync(join(tmpdir(), 'verify-force-'));
    mkdirSync(join(dir, 'brewlake-model'));
    writeFileSync(join(dir, 'brewlake-model', 'cdk.tf.json'), JSON.stringify(applied));
    writeFileSync(join(dir, 'forced.json'), JSON.stringify(forced));
    const log = join(dir, 'calls.log');
    writeFileSync(join(dir, 'terraform'), `#!/usr/bin/env bash\necho "$*" >> ${log}\necho ${JSON.stringify(answer)}\n`);
    chmodSync(join(dir, 'terraform'), 0o755);
    const stack: StackRun = { stack: 'brewlake-model', dir: join(dir, 'brewlake-model'), addresses: [], excluded: [], targets: [], gaps: motoGaps };
    return { tf: { binary: join(dir, 'terraform'), env: { PATH: process.env.PATH }, logDir: dir }, stack, forcedPath: join(dir, 'forced.json'), log };
  }

  it('puts the forced JSON in place, then applies with -target on the buckets only, as stacks/deploy.sh does', async () => {
    const { tf, stack, forcedPath, log } = fakeStack('Apply complete! Resources: 0 added, 2 changed, 0 destroyed.');
    const result = await recordForceDestroy(tf, stack, forcedPath);
    expect(result).toEqual({ ok: true, reason: undefined, buckets: ['aws_s3_bucket.models', 'aws_s3_bucket.docs'] });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([`-chdir=${stack.dir} apply -input=false -no-color -auto-approve -target=aws_s3_bucket.models -target=aws_s3_bucket.docs`]);
    expect(JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8'))).toEqual(forced);
  });

  it.each(['Apply complete! Resources: 1 added, 2 changed, 0 destroyed.', 'Apply complete! Resources: 0 added, 1 changed, 0 destroyed.', 'Apply complete! Resources: 0 added, 2 changed, 1 destroyed.'])(
    'fails when the targeted apply does more or less than update each bucket in place: %s',
    async (answer) => {
      const { tf, stack, forcedPath } = fakeStack(answer);
      const result = await recordForceDestroy(tf, stack, forcedPath);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/should change exactly the 2 bucket\(s\) in place/);
    },
  );
});

describe('moto gap force-destroy, against moto 5.2.5 itself', () => {
  let moto: MotoServer;
  let s3: S3Client;
  beforeAll(async () => {
    moto = await startMotoServer(join(repoRoot, '.venv', 'bin', 'moto_server'));
    s3 = new S3Client({ endpoint: moto.endpoint, region: 'eu-west-1', forcePathStyle: true, credentials: { accessKeyId: 'verify', secretAccessKey: 'verify' } });
  }, 90_000);
  afterAll(() => moto?.stop());

  /** A versioned bucket with two versions of `pointer`, a deleted `old` (a version and its delete marker), and `kept`. */
  async function bucketWithDeleteMarker(Bucket: string) {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const [Key, Body] of [['pointer', 'v1'], ['pointer', 'v2'], ['old', 'x'], ['kept', 'y']]) await s3.send(new PutObjectCommand({ Bucket, Key, Body }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'old' }));
  }
  const versions = async (Bucket: string) => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    return { versions: (page.Versions ?? []).map((v) => ({ Key: v.Key!, VersionId: v.VersionId })), markers: (page.DeleteMarkers ?? []).map((m) => ({ Key: m.Key!, VersionId: m.VersionId })) };
  };

  it('the gap is still there: once versioning is suspended (as Terraform leaves it), deleting a version of a key with a delete marker fails', async () => {
    const Bucket = 'verify-gap-still-there';
    await bucketWithDeleteMarker(Bucket);
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const old = (await versions(Bucket)).versions.filter((v) => v.Key === 'old');
    // When moto answers this, the workaround (deleteDeleteMarkers) and the gap's entry can go.
    await expect(s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: old } }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  }, 60_000);

  it('the workaround deletes the delete markers and nothing else; then every version deletes under suspended versioning', async () => {
    const Bucket = 'verify-workaround';
    await bucketWithDeleteMarker(Bucket);
    const before = await versions(Bucket);
    const dir = mkdtempSync(join(tmpdir(), 'verify-markers-'));
    const state = { values: { root_module: { resources: [{ mode: 'managed', address: 'aws_s3_bucket.models', type: 'aws_s3_bucket', values: { bucket: Bucket } }] } } };
    writeFileSync(join(dir, 'terraform'), `#!/usr/bin/env bash\necho '${JSON.stringify(state)}'\n`);
    chmodSync(join(dir, 'terraform'), 0o755);
    const stack: StackRun = { stack: 'brewlake-model', dir, addresses: [], excluded: [], targets: [], gaps: motoGaps };
    const hits = await deleteDeleteMarkers({ binary: join(dir, 'terraform'), env: { PATH: process.env.PATH }, logDir: dir }, stack, s3);
    expect(hits.map((h) => [h.address, h.gap.kind, h.count])).toEqual([['aws_s3_bucket.models', 'force-destroy', 1]]);
    const after = await versions(Bucket);
    expect(after.markers).toEqual([]);
    expect(after.versions).toEqual(before.versions);
    // What the provider's force_destroy then does: every version, under suspended versioning.
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const answer = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: after.versions } }));
    expect(answer.Errors ?? []).toEqual([]);
    expect(await versions(Bucket)).toEqual({ versions: [], markers: [] });
  }, 60_000);
});
