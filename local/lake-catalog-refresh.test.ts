import fc from 'fast-check';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { idleFactor, startCatalogRefresh } from './lake-catalog-refresh';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A rebuild that takes `ms` of (fake) time, recording when each started and ended. */
function slowBuild(ms: number) {
  const builds: { start: number; end?: number }[] = [];
  const build = async () => {
    const entry: { start: number; end?: number } = { start: Date.now() };
    builds.push(entry);
    await new Promise((resolve) => setTimeout(resolve, ms));
    entry.end = Date.now();
  };
  return { builds, build };
}

it('a burst of changes is one rebuild, an interval after the first', async () => {
  const { builds, build } = slowBuild(10);
  const refresh = startCatalogRefresh({ lakeDir: 'lake', intervalMs: 1_000, build });
  const t0 = Date.now();
  for (let i = 0; i < 100; i++) {
    refresh.changed();
    await vi.advanceTimersByTimeAsync(5);
  }
  expect(builds).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(builds.map((b) => b.start - t0)).toEqual([1_000]);
  await refresh.stop();
  expect(builds).toHaveLength(1);
});

it('for any changes at any times: every change is followed by a rebuild that starts after it; rebuilds never overlap, and rest at least the interval and ten times their own duration', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 30 }), fc.integer({ min: 1, max: 1_500 }), async (gaps, buildMs) => {
      const { builds, build } = slowBuild(buildMs);
      const intervalMs = 500;
      const refresh = startCatalogRefresh({ lakeDir: 'lake', intervalMs, build });
      const changes: number[] = [];
      for (const gap of gaps) {
        await vi.advanceTimersByTimeAsync(gap);
        changes.push(Date.now());
        refresh.changed();
      }
      await vi.advanceTimersByTimeAsync(intervalMs + buildMs);
      const beforeStop = builds.length;
      const stopping = refresh.stop();
      await vi.advanceTimersByTimeAsync(buildMs * 2);
      await stopping;
      for (const at of changes) expect(builds.some((b) => b.start >= at)).toBe(true);
      // stop() rebuilds what is pending at once (one rebuild at most); every other one rested first.
      expect(builds.length - beforeStop).toBeLessThanOrEqual(1);
      for (let i = 1; i < builds.length; i++) {
        const previous = builds[i - 1]!;
        expect(builds[i]!.start).toBeGreaterThanOrEqual(previous.end!);
        if (i < beforeStop) expect(builds[i]!.start - previous.end!).toBeGreaterThanOrEqual(Math.max(intervalMs, idleFactor * (previous.end! - previous.start)));
      }
      // No change, no rebuild; and never more rebuilds than changes.
      expect(builds.length).toBeLessThanOrEqual(changes.length);
    }),
    { numRuns: 50 },
  );
});

it('stop rebuilds a change still pending, at once, and nothing when all is current', async () => {
  const { builds, build } = slowBuild(10);
  const refresh = startCatalogRefresh({ lakeDir: 'lake', intervalMs: 60_000, build });
  refresh.changed();
  const stopping = refresh.stop();
  await vi.advanceTimersByTimeAsync(10);
  await stopping;
  expect(builds).toHaveLength(1);
  const idle = startCatalogRefresh({ lakeDir: 'lake', intervalMs: 10, build });
  await idle.stop();
  expect(builds).toHaveLength(1);
});

it('a failed rebuild is reported, and the next change rebuilds again', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const refresh = startCatalogRefresh({
    lakeDir: 'lake',
    intervalMs: 100,
    build: async () => {
      if (++calls === 1) throw new Error('disk full');
    },
    onError: (error) => errors.push(error),
  });
  refresh.changed();
  await vi.advanceTimersByTimeAsync(100);
  expect(errors).toEqual([new Error('disk full')]);
  refresh.changed();
  await vi.advanceTimersByTimeAsync(100);
  expect(calls).toBe(2);
  await refresh.stop();
  expect(errors).toHaveLength(1);
});
