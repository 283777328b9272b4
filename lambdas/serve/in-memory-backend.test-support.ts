/**
 * A model backend in memory, for the HTTP tests: a "model" is a slope on abv, and every
 * call is counted, so a test can prove that bad input never reached the model or the store.
 */
import type { BeerInput } from './beer-request-schema';
import type { ModelBackend } from './model-backend';

export interface SlopeModel {
  readonly slope: number;
}

export function createInMemoryBackend(initial: Record<string, number> = { v1: 10 }, promoted: string | null = 'v1') {
  const versions = new Map(Object.entries(initial).map(([v, slope]) => [v, { slope }]));
  let pointer = promoted;
  let pointerWrites = 0;
  const calls = { predict: 0, retrain: 0, promote: 0 };
  const backend: ModelBackend<SlopeModel> = {
    source: {
      fingerprint: async () => (pointer === null ? undefined : `${pointer}#${pointerWrites}`),
      loadPromoted: async () => {
        const version = pointer;
        if (version === null) return undefined;
        // A load takes a moment, so promotions and predictions really interleave.
        await new Promise((resolve) => setImmediate(resolve));
        return { version, model: versions.get(version)! };
      },
    },
    answeredBy: () => 'base',
    predict: (model, beers: readonly BeerInput[]) => {
      calls.predict += 1;
      return beers.map((b) => (b.abv ?? 0) * model.slope);
    },
    list: async () => ({
      promoted: pointer,
      versions: [...versions].map(([version]) => ({ version, created_at: '2025-01-01 00:00:00.000', feature_set: 'base', rows: 0, metrics: {}, promoted: version === pointer })),
    }),
    promote: async (version) => {
      calls.promote += 1;
      if (!versions.has(version)) return { ok: false, error: 'UnknownVersion' };
      const previous = pointer;
      pointer = version;
      pointerWrites += 1;
      return { ok: true, previous };
    },
    retrain: async (records, current, force) => {
      calls.retrain += 1;
      const version = `v${versions.size + 1}`;
      versions.set(version, { slope: 1 });
      const promote = force || !current;
      const previous = pointer;
      if (promote) {
        pointer = version;
        pointerWrites += 1;
      }
      const m = { rmse: 1, mae: 1, r2: 0.5 };
      return { ok: true, version, promoted: promote, reason: promote ? 'forced' : 'worse', previous_version: previous, holdout: { rows: records.length, candidate: m, current: current ? m : null } };
    },
  };
  return {
    backend,
    calls,
    versions,
    /** What another process (the CLI) does: moves the pointer behind the app's back. */
    promoteBehindTheAppsBack(version: string) {
      pointer = version;
      pointerWrites += 1;
    },
    pointer: () => pointer,
  };
}
