/**
 * Starts a worker thread on a module that sits beside its starter: `<name>.mjs` when the
 * starter runs bundled (esbuild builds each thread as an entry beside the bundle, bin/build-cli.mjs),
 * `<name>.ts` when it runs from TypeScript sources (tests, tsx). A worker can only load a .ts
 * entry through tsx's API: a loader given in a worker's execArgv does not reach its entry module.
 */
import { Worker } from 'node:worker_threads';

/** `starterUrl` is the starter's `import.meta.url`; the thread module is found beside it. */
export function startThreadModule(starterUrl: string, name: string, workerData: unknown): Worker {
  if (!starterUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.mjs`, starterUrl), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new URL(`./${name}.ts`, starterUrl).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(thread)}, ${JSON.stringify(starterUrl)}))`, { eval: true, workerData });
}
