/**
 * Keeps the lake's catalog file (glue/lake-catalog) current while a long command runs:
 * `serve` and `demo` deliver files for as long as they run, and the catalog's views list
 * files, so without a rebuild `duckdb lake/brewlake.duckdb` would not see them until the
 * command exits. Each delivered batch says the layout changed; the catalog is rebuilt at most
 * once per interval (a busy stream delivers a file every few seconds per zone, and a rebuild
 * lists the whole lake), and a change is always followed by a rebuild that includes it.
 *
 * A rebuild costs about 0.3 s on a small lake and grows with its files (0.4-0.9 s with
 * 2,000 more), on the cores that serve predictions: after each one the refresh waits at least
 * `idleFactor` times as long as it took, so rebuilding takes at most a tenth of a core
 * however big the lake grows (compaction keeps it small).
 */
import { buildLakeCatalog } from '../glue/lake-catalog';

/** The least time from a change to its rebuild, and between rebuilds: the delivery streams' own buffering interval. */
export const defaultCatalogRefreshMs = 2_000;

/** After a rebuild, the next waits at least this many times its duration. */
export const idleFactor = 10;

export interface CatalogRefreshOptions {
  readonly lakeDir: string;
  readonly intervalMs?: number;
  /** A rebuild failed (the old catalog is kept; the next change tries again). */
  readonly onError?: (error: unknown) => void;
  /** The rebuild; glue/lake-catalog's by default. */
  readonly build?: (lakeDir: string) => Promise<unknown>;
}

export interface CatalogRefresh {
  /** Files were delivered or removed: the catalog is rebuilt within the interval (plus a rebuild in progress). */
  changed(): void;
  /** Stops refreshing; a change not yet in the catalog is rebuilt first. */
  stop(): Promise<void>;
}

export function startCatalogRefresh(options: CatalogRefreshOptions): CatalogRefresh {
  const build = options.build ?? buildLakeCatalog;
  const intervalMs = options.intervalMs ?? defaultCatalogRefreshMs;
  let dirty = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let delayMs = intervalMs;

  const rebuild = () => {
    timer = undefined;
    dirty = false;
    const started = Date.now();
    running = build(options.lakeDir).then(
      () => undefined,
      (error: unknown) => options.onError?.(error),
    );
    void running.then(() => {
      running = undefined;
      delayMs = Math.max(intervalMs, idleFactor * (Date.now() - started));
      // Changes during the rebuild may have come after its listing: one more, an interval on.
      if (dirty && !stopped) schedule();
    });
  };
  const schedule = () => {
    timer = setTimeout(rebuild, delayMs);
    // Refreshing never keeps a finished process alive: stop() does the last rebuild.
    timer.unref();
  };

  return {
    changed() {
      dirty = true;
      if (!stopped && timer === undefined && running === undefined) schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
      if (dirty) {
        rebuild();
        await running;
      }
    },
  };
}
