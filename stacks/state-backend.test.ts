/**
 * Terraform state: local by default at a path relative to the checkout (no absolute path in
 * the JSON, so a moved checkout still finds its state), or shared in S3 with S3's native lock;
 * and state files are ignored by git wherever terraform may write them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStackConfig, StackConfigError } from './config';
import { buildApp, stackIds } from './main';
import { localStateDir } from './state-backend';

type TerraformBlock = { backend: Record<string, Record<string, unknown>> };

function synth(env: Record<string, string>): Record<string, { text: string; terraform: TerraformBlock }> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktn-state-'));
  buildApp(readStackConfig(env), outdir).synth();
  return Object.fromEntries(
    Object.values(stackIds).map((id) => {
      const text = readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8');
      return [id, { text, terraform: JSON.parse(text).terraform as TerraformBlock }];
    }),
  );
}

describe('local state (the default)', () => {
  let stacks: ReturnType<typeof synth>;
  beforeAll(() => {
    stacks = synth({});
  });

  it('each stack keeps its state at .brewlake/state/<stack>.tfstate, by a path relative to the stack folder that resolves into the checkout', () => {
    const checkout = '/any/where/brewlake';
    for (const id of Object.values(stackIds)) {
      const path = stacks[id]!.terraform.backend.local!.path as string;
      expect(path.startsWith('/'), path).toBe(false);
      // terraform runs in cdktf.out/stacks/<stack>/: from there the path must land in the checkout's state folder.
      expect(resolve(checkout, 'cdktf.out', 'stacks', id, path)).toBe(join(checkout, localStateDir, `${id}.tfstate`));
    }
  });

  it('no absolute path of this machine anywhere in the JSON', () => {
    for (const id of Object.values(stackIds)) expect(stacks[id]!.text.includes(process.cwd()), id).toBe(false);
  });
});

describe('shared state in S3', () => {
  it('BREWLAKE_STATE_BUCKET selects the S3 backend: one encrypted key per stack under the prefix, with the native lock file', () => {
    const stacks = synth({ BREWLAKE_STATE_BUCKET: 'acme-terraform-state', BREWLAKE_STATE_PREFIX: 'teams/data/', BREWLAKE_STATE_REGION: 'us-east-2', AWS_REGION: 'eu-central-1' });
    for (const id of Object.values(stackIds)) {
      expect(stacks[id]!.terraform.backend, id).toEqual({
        s3: { bucket: 'acme-terraform-state', key: `teams/data/${id}.tfstate`, region: 'us-east-2', encrypt: true, use_lockfile: true },
      });
    }
  });

  it('the key prefix defaults to brewlake and the state region to the stacks\' region', () => {
    expect(readStackConfig({ BREWLAKE_STATE_BUCKET: 'acme-state', AWS_REGION: 'ca-central-1' }).state).toEqual({ kind: 's3', bucket: 'acme-state', keyPrefix: 'brewlake', region: 'ca-central-1' });
  });

  it.each([
    [{ BREWLAKE_STATE_BUCKET: 'Not A Bucket' }, /^BREWLAKE_STATE_BUCKET: expected an S3 bucket name/],
    [{ BREWLAKE_STATE_PREFIX: 'team' }, /^BREWLAKE_STATE_BUCKET: needed when BREWLAKE_STATE_PREFIX is set/],
    [{ BREWLAKE_STATE_REGION: 'us-east-1' }, /^BREWLAKE_STATE_BUCKET: needed when BREWLAKE_STATE_REGION is set/],
    [{ BREWLAKE_STATE_BUCKET: 'acme-state', BREWLAKE_STATE_REGION: 'mars' }, /^BREWLAKE_STATE_REGION: expected an AWS region/],
    [{ BREWLAKE_STATE_BUCKET: 'acme-state', BREWLAKE_STATE_PREFIX: 'a b' }, /^BREWLAKE_STATE_PREFIX: expected an S3 key prefix/],
  ])('refuses %j, naming the setting', (env, message) => {
    expect(() => readStackConfig(env)).toThrow(StackConfigError);
    expect(() => readStackConfig(env)).toThrow(message);
  });
});

describe('state files never end up untracked-but-unignored', () => {
  it.each([
    `${localStateDir}/brewlake-lake.tfstate`,
    `${localStateDir}/brewlake-lake.tfstate.backup`,
    'terraform.brewlake-lake.tfstate',
    'terraform.tfstate',
    'stacks/terraform.tfstate.1733000000.backup',
    'verify/.terraform/providers/x',
    '.terraform.tfstate.lock.info',
  ])('git ignores %s', (path) => {
    // check-ignore exits 0 when the path is ignored, 1 when it is not.
    expect(execFileSync('git', ['check-ignore', '--no-index', '-q', path], { stdio: 'pipe' }).length).toBe(0);
  });
});
