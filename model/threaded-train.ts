/**
 * `trainIbuModel` on a worker thread: training takes seconds of CPU, and a server that
 * trains on its own event loop (`POST /retrain`) stops answering `/predict` meanwhile.
 */
import { Worker } from 'node:worker_threads';
import type { ModelArtifact } from './artifact';
import type { TrainingRow, TrainOptions } from './train';

// Run from TypeScript sources (tests, `brewlake` under tsx) the worker loads its module
// through tsx's API; a loader given in a worker's execArgv does not reach its entry module.
function startThread(workerData: { rows: readonly TrainingRow[]; options: TrainOptions }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./train-thread.mjs', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new URL('./train-thread.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(thread)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData });
}

/** Trains on a worker thread; the calling thread's event loop stays free. */
export function trainIbuModelInThread(rows: readonly TrainingRow[], options: TrainOptions): Promise<ModelArtifact> {
  return new Promise((resolve, reject) => {
    const worker = startThread({ rows, options });
    let settled = false;
    worker.once('message', (artifact: ModelArtifact) => {
      settled = true;
      resolve(artifact);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the training thread exited with code ${code} before answering`));
    });
  });
}
