/** `createServeApp`: the serving app over a model registry (local folder or S3). */
import type { ModelRegistry } from '../../model/registry';
import { createServeAppWithBackend, type ServeAppOptions } from './app';
import { registryBackend, type RegistryBackendOptions } from './registry-backend';

export type CreateServeAppOptions = Omit<ServeAppOptions<unknown>, 'backend'> & {
  readonly registry: ModelRegistry;
  readonly retrain?: RegistryBackendOptions;
};

export function createServeApp(options: CreateServeAppOptions) {
  const { registry, retrain, ...rest } = options;
  return createServeAppWithBackend({ ...rest, backend: registryBackend(registry, { ...retrain, ...(rest.clock ? { clock: rest.clock } : {}) }) });
}
