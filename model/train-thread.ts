/** The worker side of `trainInThread`: trains one model on the rows it was given and posts the artifact back. */
import { parentPort, workerData } from 'node:worker_threads';
import { trainIbuModel, type TrainingRow, type TrainOptions } from './train';

const { rows, options } = workerData as { rows: TrainingRow[]; options: TrainOptions };
parentPort!.postMessage(trainIbuModel(rows, options));
