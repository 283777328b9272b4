/**
 * `/monitor/data` counts predictions per model version, a name read from the lake: a version
 * called `constructor`, `__proto__` or `toString` is counted like any other, never mistaken
 * for a property every plain object already has (the page once showed
 * `"constructor":"function Object() { [native code] }11"` and lost `__proto__` rows).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueryEngine } from '../../glue/query-engine';
import { createLakeMonitor, predictionsByVersion } from './monitor';
import { registryWithTwoVersions } from './registry-fixture.test-support';

const objectNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
const versionName = fc.oneof(fc.constantFrom(...objectNames), fc.string({ maxLength: 12 }));

describe('predictions per model version', () => {
  it('counts every version name, Object.prototype names included, exactly once per row', () => {
    fc.assert(
      fc.property(fc.array(versionName, { maxLength: 60 }), (versions) => {
        const counted = predictionsByVersion(versions.map((model_version) => ({ model_version })));
        const expected = new Map<string, number>();
        for (const v of versions) expected.set(v, (expected.get(v) ?? 0) + 1);
        expect(new Map(counted.map((c) => [c.version, c.predictions]))).toEqual(expected);
        expect(counted.every((c) => typeof c.predictions === 'number')).toBe(true);
        expect(counted.reduce((s, c) => s + c.predictions, 0)).toBe(versions.length);
      }),
    );
  });

  it('the snapshot and its JSON keep constructor, __proto__ and toString rows as counts', async () => {
    const { registry } = await registryWithTwoVersions('base');
    const now = Date.parse('2026-01-01T12:00:30Z');
    const rows = [...['constructor', 'constructor', '__proto__', 'toString', 'v1'].entries()].map(([i, model_version]) => ({
      request_id: `r${i}`,
      predicted_at: '2026-01-01 12:00:10.000',
      model_version,
      latency_ms: 1,
      predicted_ibu: 40,
    }));
    const engine: QueryEngine = { kind: 'athena', query: async () => ({ columns: [], rows }), close: async () => {} };
    const snapshot = await createLakeMonitor({ engine, registry, now: () => now }).snapshot();
    const wire = JSON.parse(JSON.stringify(snapshot)) as typeof snapshot;
    expect(wire.minutes).toHaveLength(1);
    expect(wire.minutes[0]!.byVersion).toEqual([
      { version: 'constructor', predictions: 2 },
      { version: '__proto__', predictions: 1 },
      { version: 'toString', predictions: 1 },
      { version: 'v1', predictions: 1 },
    ]);
  });
});
