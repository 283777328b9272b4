/**
 * The deploy flow, with fake `terraform`, `tofu`, `aws` and `brewlake` on PATH that log their
 * arguments: what make and stacks/deploy.sh call, in which order, with which region. Only the
 * synth is real (into a temporary folder).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const checkout = process.cwd();

// Each fake logs one line per call: its name and arguments, separated by tabs.
const fakes: Record<string, string> = {
  terraform: `#!/usr/bin/env bash
printf 'terraform\\t%s\\n' "$(IFS=$'\\t'; echo "$*")" >> "$FAKE_LOG"
dir=""; for a in "$@"; do case "$a" in -chdir=*) dir="\${a#-chdir=}";; esac; done
stack=$(basename "$dir")
args=" $* "
case "$args" in
  *" version "*) echo "Terraform v\${FAKE_TF_VERSION:-1.11.4}";;
  *" output -raw "*)
    # OUTPUT in the message stands for the output asked for.
    name="\${@: -1}"; [ -n "\${FAKE_OUTPUT_ERROR:-}" ] && { echo "\${FAKE_OUTPUT_ERROR//OUTPUT/$name}" >&2; exit 1; }
    [ "$stack" = brewlake-lake ] && [ -n "\${FAKE_NO_LAKE:-}" ] && exit 1
    case "\${@: -1}" in
      athena_workgroup) echo brewlake-analysts;; glue_database) echo brewlake_lake;;
      registry) echo s3://fake-models/models/;; docs_assets) echo s3://fake-models/docs/swagger-ui-dist/;;
      admin_token_parameter) echo /brewlake/admin-token;; endpoint) echo https://fake.lambda-url.aws/;;
      models_bucket) echo fake-models;; lake_bucket) echo fake-lake;; athena_results_bucket) echo fake-results;;
      *) exit 1;;
    esac;;
  *" state list "*)
    [ -n "\${FAKE_STATE_ERROR:-}" ] && { echo "$FAKE_STATE_ERROR" >&2; exit 1; }
    # all: every resource of the stack's JSON but those matching FAKE_STATE_DROP (destroyed already).
    if [ "\${FAKE_STATE:-}" = all ]; then
      node -e 'const [f, drop] = process.argv.slice(1); for (const [t, byName] of Object.entries(require(f).resource)) for (const n of Object.keys(byName)) if (!(drop && new RegExp(drop).test(n))) console.log(t + "." + n);' "$dir/cdk.tf.json" "\${FAKE_STATE_DROP:-}"
    elif [ -n "\${FAKE_STATE:-}" ]; then echo aws_s3_bucket.x; fi
    exit 0;;
  *" destroy "*) [ -n "\${FAKE_DESTROY_FAIL_STACK:-}" ] && { [ "$stack" = "$FAKE_DESTROY_FAIL_STACK" ] && exit 1; exit 0; }; exit "\${FAKE_DESTROY_RC:-0}";;
esac
exit 0
`,
  aws: `#!/usr/bin/env bash
printf 'aws\\t%s\\n' "$(IFS=$'\\t'; echo "$*")" >> "$FAKE_LOG"
args=" $* "
case "$args" in
  *" ssm get-parameter "*) [ -n "\${FAKE_TOKEN_EXISTS:-}" ] && exit 0; echo "An error occurred (ParameterNotFound) when calling the GetParameter operation" >&2; exit 254;;
  *" ssm put-parameter "*)
    for a in "$@"; do case "$a" in file://*) f="\${a#file://}"; printf 'aws-input\\tmode=%s\\t%s\\n' "$(stat -c %a "$f")" "$(cat "$f")" >> "$FAKE_LOG";; esac; done;;
  *" s3api head-bucket "*) [ -n "\${FAKE_BUCKET_EXISTS:-}" ] && exit 0; exit 254;;
  *" s3api list-object-versions "*)
    [ -n "\${FAKE_LIST_ERROR:-}" ] && { echo "$FAKE_LIST_ERROR" >&2; exit 254; }
    [ -n "\${FAKE_NONEMPTY:-}" ] && echo '{"Versions":[{"Key":"raw/a","VersionId":"1"}]}' || echo '{}';;
  *" lambda get-account-settings "*) echo "\${FAKE_UNRESERVED:-1000}";;
  *" lambda get-function-concurrency "*)
    [ -z "\${FAKE_FN_RESERVED:-}" ] && { echo "An error occurred (ResourceNotFoundException) when calling the GetFunctionConcurrency operation: Function not found" >&2; exit 254; }
    echo "$FAKE_FN_RESERVED";;
esac
exit 0
`,
  brewlake: `#!/usr/bin/env bash
printf 'brewlake\\t%s\\n' "$(IFS=$'\\t'; echo "$*")" >> "$FAKE_LOG"
`,
};
fakes.tofu = fakes.terraform!.replaceAll("'terraform\\t", "'tofu\\t").replace('echo "Terraform v', 'echo "OpenTofu v');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[][];
  outdir: string;
}

function fakeBin(): { bin: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'brewlake-fakes-'));
  for (const [name, script] of Object.entries(fakes)) {
    writeFileSync(join(dir, name), script);
    chmodSync(join(dir, name), 0o755);
  }
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  return { bin: dir, log };
}

function run(command: string, args: string[], env: Record<string, string> = {}, withFakes = true): Run {
  const { bin, log } = fakeBin();
  // Only tofu on PATH: the script must pick it.
  if (env.FAKE_ONLY_TOFU) rmSync(join(bin, 'terraform'));
  const outdir = mkdtempSync(join(tmpdir(), 'brewlake-out-'));
  const home = mkdtempSync(join(tmpdir(), 'brewlake-home-'));
  const result = spawnSync(command, args, {
    cwd: checkout,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: withFakes ? `${bin}:/usr/bin:/bin` : '/usr/bin:/bin',
      HOME: home,
      FAKE_LOG: log,
      CDKTF_OUTDIR: outdir,
      BREWLAKE_CLI: join(bin, 'brewlake'),
      ...(withFakes ? { AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake' } : {}),
      ...env,
    },
  });
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, outdir };
}

const isOutput = (c: string[]) => (c[0] === 'terraform' || c[0] === 'tofu') && c.includes('output');
const inStack = (stack: string) => (c: string[]) => c.some((a) => a.startsWith('-chdir=') && a.endsWith(`/${stack}`));

describe('make never reads Terraform outputs before it applies', () => {
  it.each(['deploy_model', 'deploy_infra', 'destroy'])('make -n %s calls no terraform output (nor anything else) while make reads the Makefile', (target) => {
    const r = run('make', ['-n', '-o', 'node_modules/.package-lock.json', target]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.filter(isOutput)).toEqual([]);
    expect(r.calls).toEqual([]);
  });

  it('without terraform, the aws CLI or credentials, make deploy_model prints the "cannot deploy" block once, naming each', () => {
    const r = run('make', ['-o', 'node_modules/.package-lock.json', 'deploy_model'], {}, false);
    expect(r.status).not.toBe(0);
    expect(r.stderr.split('cannot deploy, nothing was changed').length - 1).toBe(1);
    expect(r.stderr).toMatch(/terraform \(>= 1\.10\) or tofu/);
    expect(r.stderr).toMatch(/the AWS CLI/);
    expect(r.stderr).toMatch(/AWS credentials/);
  });
});

describe('stacks/deploy.sh model', () => {
  const region = 'ap-southeast-2';

  it('applies the model stack before reading its outputs, trains into the registry it created, in the synthesized region, and creates a missing token without putting it on a command line', () => {
    const r = run('stacks/deploy.sh', ['model'], { AWS_REGION: region });
    expect(r.status, r.stderr).toBe(0);
    const model = r.calls.filter(inStack('brewlake-model'));
    const applyAt = model.findIndex((c) => c.includes('apply'));
    const firstOutput = model.findIndex(isOutput);
    expect(applyAt).toBeGreaterThanOrEqual(0);
    expect(firstOutput).toBeGreaterThan(applyAt);

    const train = r.calls.find((c) => c[0] === 'brewlake')!;
    expect(train).toEqual(['brewlake', 'train', '--engine', 'athena', '--region', region, '--workgroup', 'brewlake-analysts', '--database', 'brewlake_lake', '--registry', 's3://fake-models/models/']);

    // Every aws call but the region-free identity check names the synthesized region.
    for (const call of r.calls.filter((c) => c[0] === 'aws' && !c.includes('sts'))) {
      expect(call[call.indexOf('--region') + 1], call.join(' ')).toBe(region);
    }
    expect(r.calls.some((c) => c[0] === 'aws' && c.includes('sync') && c.includes('s3://fake-models/docs/swagger-ui-dist/'))).toBe(true);

    const put = r.calls.find((c) => c[0] === 'aws' && c.includes('put-parameter'))!;
    expect(put).not.toContain('--overwrite');
    expect(put.some((a) => a.startsWith('file://'))).toBe(true);
    const [, mode, json] = r.calls.find((c) => c[0] === 'aws-input')!;
    expect(mode).toBe('mode=600');
    const input = JSON.parse(json!);
    expect(input).toMatchObject({ Name: '/brewlake/admin-token', Type: 'SecureString' });
    expect(input.Value).toMatch(/^[0-9a-f]{64}$/);
    expect(r.calls.flat().some((a) => a.includes(input.Value) && !a.startsWith('{'))).toBe(false);
    expect(r.stdout).toContain('endpoint: https://fake.lambda-url.aws/');
  }, 120_000);

  it('never overwrites an existing token', () => {
    const r = run('stacks/deploy.sh', ['model'], { FAKE_TOKEN_EXISTS: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.filter((c) => c[0] === 'aws' && c.includes('put-parameter'))).toEqual([]);
  }, 120_000);

  it('refuses, changing nothing, when the lake stack is not deployed', () => {
    const r = run('stacks/deploy.sh', ['model'], { FAKE_NO_LAKE: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/make deploy_infra/);
    expect(r.calls.filter((c) => c.includes('apply'))).toEqual([]);
    expect(r.calls.filter((c) => c[0] === 'brewlake')).toEqual([]);
  }, 120_000);
});

describe('stacks/deploy.sh destroy', () => {
  it('refuses up front, destroying nothing, while a bucket holds objects and BREWLAKE_FORCE_DESTROY is not set', () => {
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: '1', FAKE_NONEMPTY: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot destroy, nothing was changed/);
    for (const bucket of ['fake-models', 'fake-lake', 'fake-results']) expect(r.stderr).toContain(`s3://${bucket}`);
    expect(r.stderr).toContain('BREWLAKE_FORCE_DESTROY=1');
    expect(r.calls.filter((c) => c.includes('destroy') || c.includes('apply'))).toEqual([]);
  }, 120_000);

  it('with BREWLAKE_FORCE_DESTROY=1, synthesizes force_destroy buckets and records that before destroying each stack, model first', () => {
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: '1', FAKE_NONEMPTY: '1', BREWLAKE_FORCE_DESTROY: '1' });
    expect(r.status, r.stderr).toBe(0);
    const steps = r.calls.filter((c) => c.includes('apply') || c.includes('destroy')).map((c) => `${c.find((a) => a.startsWith('-chdir='))!.split('/').pop()} ${c.includes('destroy') ? 'destroy' : 'apply'}`);
    expect(steps).toEqual(['brewlake-model apply', 'brewlake-model destroy', 'brewlake-lake apply', 'brewlake-lake destroy']);
    for (const apply of r.calls.filter((c) => c.includes('apply'))) for (const a of apply.filter((x) => x.startsWith('-target='))) expect(a).toMatch(/^-target=aws_s3_bucket\./);
    for (const stack of ['brewlake-lake', 'brewlake-model']) {
      const buckets = Object.values(JSON.parse(readFileSync(join(r.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')).resource.aws_s3_bucket) as { force_destroy: boolean }[];
      for (const b of buckets) expect(b.force_destroy).toBe(true);
    }
  }, 120_000);

  const guardTargets = (resource: Record<string, Record<string, { bucket?: string }>>, bucket: RegExp) =>
    ['aws_s3_bucket_public_access_block', 'aws_s3_bucket_policy', 'aws_s3_bucket_versioning'].flatMap((type) =>
      Object.entries(resource[type] ?? {})
        .filter(([, body]) => bucket.test(body.bucket ?? ''))
        .map(([name]) => `-target=${type}.${name}`),
    );

  it('a failed destroy puts back the public-access block, TLS-only policy and versioning of every bucket, and fails', () => {
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: 'all', FAKE_DESTROY_RC: '1' });
    expect(r.status).toBe(1);
    const restore = r.calls.find((c) => c.includes('apply') && c.some((a) => a.includes('public_access_block')))!;
    const targets = restore.filter((a) => a.startsWith('-target='));
    const model = JSON.parse(readFileSync(join(r.outdir, 'stacks', 'brewlake-model', 'cdk.tf.json'), 'utf8')).resource;
    expect(targets.sort()).toEqual(guardTargets(model, /./).sort());
    expect(targets.some((t) => t.startsWith('-target=aws_s3_bucket_versioning.'))).toBe(true);
    expect(existsSync(r.outdir)).toBe(true);
  }, 120_000);

  it('restores only the guards of buckets still in the state: targeting a guard of a destroyed bucket would create the bucket again', () => {
    // The lake's destroy fails after the Athena results bucket and its guards are gone.
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: 'all', FAKE_STATE_DROP: '^athena-results_', FAKE_DESTROY_FAIL_STACK: 'brewlake-lake' });
    expect(r.status).toBe(1);
    const lake = JSON.parse(readFileSync(join(r.outdir, 'stacks', 'brewlake-lake', 'cdk.tf.json'), 'utf8')).resource;
    const restore = r.calls.filter(inStack('brewlake-lake')).find((c) => c.includes('apply') && c.some((a) => a.includes('public_access_block')))!;
    const targets = restore.filter((a) => a.startsWith('-target='));
    expect(targets.sort()).toEqual(guardTargets(lake, /^\$\{aws_s3_bucket\.lake_/).sort());
    expect(targets).toHaveLength(3);
    expect(targets.filter((t) => t.includes('athena-results'))).toEqual([]);
  }, 120_000);

  const noTeardown = (r: Run) => expect(r.calls.filter((c) => c.includes('destroy') || c.includes('apply'))).toEqual([]);

  it.each([
    ['AccessDenied', 'An error occurred (AccessDenied) when calling the ListObjectVersions operation: Access Denied'],
    ['expired credentials', 'An error occurred (ExpiredToken) when calling the ListObjectVersions operation: The provided token has expired.'],
  ])('refuses, destroying nothing, when a bucket cannot be listed (%s), naming the bucket and the error', (_, error) => {
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: '1', FAKE_LIST_ERROR: error, BREWLAKE_FORCE_DESTROY: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot destroy, nothing was changed: cannot tell whether s3:\/\/fake-models holds objects/);
    expect(r.stderr).toContain(error);
    noTeardown(r);
  }, 120_000);

  it('a bucket that is already gone (NoSuchBucket) holds nothing: the destroy goes on', () => {
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: '1', FAKE_LIST_ERROR: 'An error occurred (NoSuchBucket) when calling the ListObjectVersions operation: The specified bucket does not exist' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.filter((c) => c.includes('destroy'))).toHaveLength(2);
  }, 120_000);

  it("refuses when terraform cannot read a bucket output (not just \"no such output\"), and when it cannot list the state", () => {
    const output = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: '1', FAKE_OUTPUT_ERROR: 'Error: error loading state: AccessDenied: Access Denied' });
    expect(output.status).toBe(1);
    expect(output.stderr).toMatch(/cannot destroy, nothing was changed: 'terraform output models_bucket' of brewlake-model failed: Error: error loading state: AccessDenied/);
    noTeardown(output);
    const state = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE_ERROR: 'Error: Failed to load state: AccessDenied' });
    expect(state.status).toBe(1);
    expect(state.stderr).toMatch(/brewlake-model: 'terraform state list' failed: Error: Failed to load state: AccessDenied/);
    expect(state.stderr).not.toMatch(/nothing deployed/);
    noTeardown(state);
  }, 120_000);

  it('a stack whose state has no bucket output (never got that far) is destroyed without a listing', () => {
    const r = run('stacks/deploy.sh', ['destroy'], { FAKE_STATE: '1', FAKE_OUTPUT_ERROR: 'Error: Output "OUTPUT" not found' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.filter((c) => c.includes('list-object-versions'))).toEqual([]);
  }, 120_000);
});

describe('stacks/deploy.sh model: the reserved concurrency fits the account', () => {
  const modelApplied = (r: Run) => r.calls.filter(inStack('brewlake-model')).some((c) => c.includes('apply'));

  it('refuses before the apply when the reservation would leave fewer than 100 unreserved executions, naming the setting and the quota', () => {
    const r = run('stacks/deploy.sh', ['model'], { FAKE_UNRESERVED: '50' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot deploy the model, nothing was changed: BREWLAKE_SERVE_CONCURRENCY=10 would reserve 10 of the 50 unreserved concurrent executions this account has in eu-west-1/);
    expect(r.stderr).toMatch(/Set BREWLAKE_SERVE_CONCURRENCY=off, or ask for a higher 'Concurrent executions' quota/);
    expect(modelApplied(r)).toBe(false);
    expect(r.calls.filter((c) => c[0] === 'brewlake')).toEqual([]);
    const settings = r.calls.find((c) => c.includes('get-account-settings'))!;
    expect(settings.join(' ')).toContain('--query AccountLimit.UnreservedConcurrentExecutions');
    expect(settings[settings.indexOf('--region') + 1]).toBe('eu-west-1');
  }, 120_000);

  it('for every quota and reservation: deploys exactly when unreserved (plus the function\'s own reservation on a redeploy) is at least N + 100', () => {
    for (const [unreserved, own, wanted, ok] of [
      ['109', '', '10', false],
      ['110', '', '10', true],
      ['105', '10', '10', true], // a redeploy: its 10 are already out of the pool
      ['150', 'None', '60', false],
      ['1000', '', '900', true],
    ] as const) {
      const r = run('stacks/deploy.sh', ['model'], { FAKE_UNRESERVED: unreserved, FAKE_FN_RESERVED: own, BREWLAKE_SERVE_CONCURRENCY: wanted });
      expect(r.status === 0, `${unreserved}/${own}/${wanted}: ${r.stderr}`).toBe(ok);
      expect(modelApplied(r)).toBe(ok);
    }
  }, 300_000);

  it('says how far down the setting would fit, and does not ask the account at all when the concurrency is off', () => {
    const r = run('stacks/deploy.sh', ['model'], { FAKE_UNRESERVED: '105', BREWLAKE_SERVE_CONCURRENCY: '10' });
    expect(r.stderr).toContain('Set BREWLAKE_SERVE_CONCURRENCY=off (or at most 5)');
    const off = run('stacks/deploy.sh', ['model'], { FAKE_UNRESERVED: '0', BREWLAKE_SERVE_CONCURRENCY: 'off' });
    expect(off.status, off.stderr).toBe(0);
    expect(off.calls.filter((c) => c.includes('get-account-settings'))).toEqual([]);
  }, 120_000);
});

describe('terraform or tofu new enough for the JSON', () => {
  it.each([
    ['terraform', '1.9.8'],
    ['tofu', '1.9.1'],
  ])('refuses %s %s before anything, in the "cannot deploy" block, naming the minimum from cdktf.json', (binary, version) => {
    const r = run('stacks/deploy.sh', ['infra'], { FAKE_TF_VERSION: version, ...(binary === 'tofu' ? { FAKE_ONLY_TOFU: '1' } : {}) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot deploy, nothing was changed. Missing:');
    expect(r.stderr).toContain(`${binary} >= 1.10.0 (found ${version})`);
    expect(r.calls.filter((c) => c.includes('init') || c.includes('apply'))).toEqual([]);
  }, 120_000);

  it('the synthesized JSON requires the same minimum (required_version), which both binaries check at init', () => {
    const r = run('stacks/deploy.sh', ['infra'], {});
    expect(r.status, r.stderr).toBe(0);
    const targets = JSON.parse(readFileSync(join(checkout, 'cdktf.json'), 'utf8')).targetVersions;
    for (const stack of ['brewlake-lake', 'brewlake-model']) {
      expect(JSON.parse(readFileSync(join(r.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')).terraform.required_version).toBe(targets.terraform.replace('>=', '>= '));
    }
  }, 120_000);
});

describe('make state_bucket', () => {
  it('refuses without credentials with the same "cannot deploy" block, once', () => {
    const r = run('make', ['-o', 'node_modules/.package-lock.json', 'state_bucket'], { BREWLAKE_STATE_BUCKET: 'acme-state' }, false);
    expect(r.status).not.toBe(0);
    expect(r.stderr.split('cannot deploy, nothing was changed').length - 1).toBe(1);
  });

  it('creates a versioned, encrypted, public-access-blocked, TLS-only bucket in the state region', () => {
    const r = run('stacks/deploy.sh', ['state-bucket'], { BREWLAKE_STATE_BUCKET: 'acme-state', BREWLAKE_STATE_REGION: 'eu-north-1' });
    expect(r.status, r.stderr).toBe(0);
    const s3api = r.calls.filter((c) => c[0] === 'aws' && c[1] === 's3api');
    const op = (name: string) => s3api.find((c) => c[2] === name)!;
    expect(op('create-bucket')).toContain('LocationConstraint=eu-north-1');
    expect(op('put-public-access-block').join(' ')).toContain('BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true');
    expect(op('put-bucket-versioning')).toContain('Status=Enabled');
    expect(op('put-bucket-encryption').join(' ')).toContain('AES256');
    expect(op('put-bucket-policy').join(' ')).toContain('aws:SecureTransport');
    for (const c of s3api) expect(c[c.indexOf('--region') + 1]).toBe('eu-north-1');
  }, 120_000);
});
