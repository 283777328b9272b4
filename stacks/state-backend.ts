/**
 * Where a stack's Terraform state lives, from the settings (stacks/config.ts): one state per
 * stack AND region, so a synth for a second region never plans against the first region's
 * state (provider 6.x keeps each resource's region in state: the same state planned for
 * another region says "No changes" and new resources land beside the old ones).
 *
 * The local path is what terraform resolves from the folder it runs in,
 * `<outdir>/stacks/<stack>/`: relative when the output folder is inside the checkout (the
 * default `cdktf.out`, or any CDKTF_OUTDIR below it), so the JSON holds no absolute path and
 * a moved checkout still finds its state; absolute when CDKTF_OUTDIR is outside the checkout,
 * which cannot move with it anyway (stacks/deploy.sh synthesizes again before every run).
 */
import { App, LocalBackend, S3Backend, type TerraformStack } from 'cdktn';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { StackConfig } from './config';
import { repoRoot } from './lambda-bundle';

/** The local state folder, relative to the checkout (ignored by git). */
export const localStateDir = '.brewlake/state';

/** A stack's local state file, relative to the checkout: `.brewlake/state/<region>/<stack>.tfstate`. */
export const localStateFile = (region: string, stack: string) => `${localStateDir}/${region}/${stack}.tfstate`;

/** A stack's key in the state bucket: `<prefix>/<region>/<stack>.tfstate`. */
export const s3StateKey = (keyPrefix: string, region: string, stack: string) => `${keyPrefix}/${region}/${stack}.tfstate`;

/** The local backend's `path` for a stack synthesized into `outdir` (resolved against the working directory, as cdktn does). */
export function localBackendPath(options: { checkout: string; outdir: string; region: string; stack: string }): string {
  const stackDir = resolve(options.outdir, 'stacks', options.stack);
  const stateFile = join(resolve(options.checkout), localStateFile(options.region, options.stack));
  const fromCheckout = relative(resolve(options.checkout), stackDir);
  const outdirInCheckout = fromCheckout.split(sep)[0] !== '..' && !isAbsolute(fromCheckout);
  return outdirInCheckout ? relative(stackDir, stateFile) : stateFile;
}

export function addStateBackend(stack: TerraformStack, config: Pick<StackConfig, 'region' | 'state'>, checkout = repoRoot): void {
  const id = stack.node.id;
  const { state, region } = config;
  if (state.kind === 'local') {
    new LocalBackend(stack, { path: localBackendPath({ checkout, outdir: App.of(stack).outdir, region, stack: id }) });
    return;
  }
  new S3Backend(stack, { bucket: state.bucket, key: s3StateKey(state.keyPrefix, region, id), region: state.region, encrypt: true, useLockfile: true });
}
