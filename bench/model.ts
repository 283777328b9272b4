/**
 * The model's speed: training on all rows, the 25-fold evaluation, and predicting 1,000
 * beers, each against its target bound and, for prediction, against computing the same
 * rows' features alone (the floor any model pays).
 */
import { predictMany } from '../model/artifact';
import { crossValidate, evaluationFoldsPath, readFoldsFile } from '../model/evaluate';
import { featureVector } from '../model/features';
import { trainIbuModel } from '../model/train';
import { trainingRowOf } from '../model/training-data';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';
import { fmt, type Bench } from './table';

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(runs: number, f: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

export const modelBench: Bench = {
  title: 'model',
  async run() {
    const rows = catalogue
      .map((b) => cleanedRowOf(b, new Date()))
      .filter((b) => b.ibu !== null)
      .map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
    const train = time(3, () => trainIbuModel(rows, { featureSet: 'hops' }));
    const plan = readFoldsFile(evaluationFoldsPath);
    const cv = time(1, () => crossValidate(rows, plan, 'hops'));
    const artifact = trainIbuModel(rows, { featureSet: 'hops' });
    const thousand = Array.from({ length: 1000 }, (_, i) => rows[i % rows.length]!);
    const vectors = thousand.map((r) => featureVector(r, 'hops'));
    for (let i = 0; i < 20; i++) predictMany(artifact, vectors); // warm-up
    const predict = time(50, () => predictMany(artifact, vectors));
    const features = time(50, () => thousand.map((r) => featureVector(r, 'hops')));
    return [
      { name: `train on ${rows.length} rows (hops)`, value: fmt.ms(train), reference: 'bound 1000 ms', target: '< 1000 ms', pass: train < 1000 },
      { name: `${plan.folds.length}-fold evaluation (hops)`, value: fmt.ms(cv), reference: 'bound 30000 ms', target: '< 30000 ms', pass: cv < 30_000 },
      { name: 'predict 1,000 rows', value: fmt.ms(predict), reference: `features alone ${fmt.ms(features)}`, target: '< 5 ms', pass: predict < 5 },
    ];
  },
};
