/**
 * How `brewlake serve` retrains (`POST /retrain`) over a local lake: on a worker thread, so
 * `/predict` keeps answering, and judged against the lake's training set as well as the
 * records' own hold-out, so records that are all noise cannot vouch for themselves.
 */
import { openDuckDbLake } from '../glue/duckdb';
import { trainIbuModelInThread } from '../model/threaded-train';
import { loadTrainingSet } from '../model/training-data';
import type { RegistryBackendOptions } from '../lambdas/serve/registry-backend';

export function lakeRetrainOptions(lakeDir: string): RegistryBackendOptions {
  return {
    train: trainIbuModelInThread,
    referenceSet: async () => {
      const engine = await openDuckDbLake(lakeDir);
      try {
        return (await loadTrainingSet(engine)).rows;
      } finally {
        await engine.close();
      }
    },
  };
}
