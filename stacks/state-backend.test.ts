/**
 * Terraform state: one state per stack and region, local by default at a path relative to the
 * checkout (no absolute path in the JSON, so a moved checkout still finds its state) wherever
 * the output folder is, or shared in S3 with S3's native lock; and state files are ignored by
 * git wherever terraform may write them.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStackConfig, StackConfigError } from './config';
import { repoRoot } from './lambda-bundle';
import { buildApp, stackIds } from './main';
import { localBackendPath, localStateDir, localStateFile, s3StateKey } from './state-backend';

type TerraformBlock = { backend: Record<string, Record<string, unknown>> };

const synthRoots: string[] = [];
afterAll(() => {
  for (const root of synthRoots) rmSync(root, { recursive: true, force: true });
});

/** Synthesizes into `outdir` (a fresh temporary folder by default). */
function synth(env: Record<string, string>, outdir = mkdtempSync(join(tmpdir(), 'cdktn-state-'))): Record<string, { text: string; terraform: TerraformBlock; dir: string }> {
  synthRoots.push(outdir);
  buildApp(readStackConfig(env), outdir).synth();
  return Object.fromEntries(
    Object.values(stackIds).map((id) => {
      const dir = join(outdir, 'stacks', id);
      const text = readFileSync(join(dir, 'cdk.tf.json'), 'utf8');
      return [id, { text, terraform: JSON.parse(text).terraform as TerraformBlock, dir }];
    }),
  );
}

/** An output folder inside the checkout, nested deeper than `cdktf.out` (test-results/ is ignored by git). */
function outdirInCheckout(): string {
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
  const root = mkdtempSync(join(repoRoot, 'test-results', 'cdktn-state-'));
  synthRoots.push(root);
  const outdir = join(root, 'nested', 'out');
  mkdirSync(outdir, { recursive: true });
  return outdir;
}

const region = fc.constantFrom('eu-west-1', 'us-east-1', 'us-east-2', 'ap-southeast-2', 'eu-central-1', 'ca-central-1', 'us-gov-west-1');
const stack = fc.constantFrom(...Object.values(stackIds));
const segment = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/).filter((s) => s !== '.' && s !== '..');

describe('local state (the default)', () => {
  let stacks: ReturnType<typeof synth>;
  beforeAll(() => {
    stacks = synth({ AWS_REGION: 'ap-southeast-2' }, outdirInCheckout());
  });

  it('each stack keeps its state at .brewlake/state/<region>/<stack>.tfstate, by a relative path that resolves into the checkout from the stack folder, even for an output folder nested deeper than cdktf.out', () => {
    for (const id of Object.values(stackIds)) {
      const path = stacks[id]!.terraform.backend.local!.path as string;
      expect(isAbsolute(path), path).toBe(false);
      // terraform runs in <outdir>/stacks/<stack>/: from there the path must land in the checkout's state folder.
      expect(resolve(stacks[id]!.dir, path)).toBe(join(repoRoot, localStateDir, 'ap-southeast-2', `${id}.tfstate`));
    }
  });

  it('no absolute path of this machine anywhere in the JSON', () => {
    for (const id of Object.values(stackIds)) expect(stacks[id]!.text.includes(repoRoot), id).toBe(false);
  });

  it('for every output folder inside the checkout the path is relative and resolves to the state file; outside, it is the state file\'s absolute path', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), region, stack, fc.boolean(), (parts, r, id, inside) => {
        const checkout = '/home/dev/brewlake';
        const outdir = inside ? join(checkout, ...parts) : join('/tmp', ...parts);
        const path = localBackendPath({ checkout, outdir, region: r, stack: id });
        const stateFile = join(checkout, localStateFile(r, id));
        expect(isAbsolute(path)).toBe(!inside);
        expect(resolve(outdir, 'stacks', id, path)).toBe(stateFile);
        // The checkout moves with an output folder inside it: the same relative path still lands in its state folder.
        if (inside) expect(resolve(join('/elsewhere', relative(checkout, outdir)), 'stacks', id, path)).toBe(join('/elsewhere', localStateFile(r, id)));
      }),
    );
  });
});

describe('one state per region', () => {
  it('two regions never share a local state file or an S3 key, for either stack', () => {
    fc.assert(
      fc.property(region, region, stack, fc.stringMatching(/^[a-z0-9/-]{1,20}$/), (a, b, id, prefix) => {
        fc.pre(a !== b);
        expect(localStateFile(a, id)).not.toBe(localStateFile(b, id));
        expect(s3StateKey(prefix, a, id)).not.toBe(s3StateKey(prefix, b, id));
        expect(localBackendPath({ checkout: '/c', outdir: '/c/cdktf.out', region: a, stack: id })).not.toBe(localBackendPath({ checkout: '/c', outdir: '/c/cdktf.out', region: b, stack: id }));
      }),
    );
  });

  it('synthesized for eu-west-1 and for us-east-1, the stacks name disjoint state files and keys', () => {
    const paths = (env: Record<string, string>) => Object.values(synth(env)).map((s) => JSON.stringify(s.terraform.backend));
    for (const backend of [{}, { BREWLAKE_STATE_BUCKET: 'acme-state', BREWLAKE_STATE_REGION: 'eu-west-1' }] as Record<string, string>[]) {
      const west = paths({ ...backend, AWS_REGION: 'eu-west-1' });
      const east = paths({ ...backend, AWS_REGION: 'us-east-1' });
      expect(west.filter((p) => east.includes(p))).toEqual([]);
    }
  });
});

describe('shared state in S3', () => {
  it('BREWLAKE_STATE_BUCKET selects the S3 backend: one encrypted key per region and stack under the prefix, with the native lock file', () => {
    const stacks = synth({ BREWLAKE_STATE_BUCKET: 'acme-terraform-state', BREWLAKE_STATE_PREFIX: 'teams/data/', BREWLAKE_STATE_REGION: 'us-east-2', AWS_REGION: 'eu-central-1' });
    for (const id of Object.values(stackIds)) {
      expect(stacks[id]!.terraform.backend, id).toEqual({
        s3: { bucket: 'acme-terraform-state', key: `teams/data/eu-central-1/${id}.tfstate`, region: 'us-east-2', encrypt: true, use_lockfile: true },
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
    `${localStateFile('eu-west-1', 'brewlake-lake')}`,
    `${localStateFile('eu-west-1', 'brewlake-lake')}.backup`,
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
