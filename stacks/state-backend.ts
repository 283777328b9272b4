/**
 * Where a stack's Terraform state lives, from the settings (stacks/config.ts). The local path
 * is relative to the stack's folder (`cdktf.out/stacks/<stack>/`, where terraform runs), so
 * the JSON holds no absolute path and a moved checkout still finds its state.
 */
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktn';
import type { StateBackendConfig } from './config';

/** The local state folder, relative to the checkout (ignored by git). */
export const localStateDir = '.brewlake/state';

/** From `cdktf.out/stacks/<stack>/` back to the checkout. */
const stackDirToCheckout = '../../..';

export function addStateBackend(stack: TerraformStack, state: StateBackendConfig): void {
  const id = stack.node.id;
  if (state.kind === 'local') {
    new LocalBackend(stack, { path: `${stackDirToCheckout}/${localStateDir}/${id}.tfstate` });
    return;
  }
  new S3Backend(stack, { bucket: state.bucket, key: `${state.keyPrefix}/${id}.tfstate`, region: state.region, encrypt: true, useLockfile: true });
}
