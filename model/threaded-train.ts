/**
 * `trainIbuModel` on a worker thread: training takes seconds of CPU, and a server that
 * trains on its own event loop (`POST /retrain`) stops answering `/predict` meanwhile.
 */
import type { ModelArtifact } from './artifact';
import { startThreadModule } from './thread-module';
import type { TrainingRow, TrainOptions } from './train';

const startThread = (workerData: { rows: readonly TrainingRow[]; options: TrainOptions }) => startThreadModule(import.meta.url, 'train-thread', workerData);

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
