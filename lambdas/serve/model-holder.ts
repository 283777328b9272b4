/**
 * The model the app answers with, and how it notices a promotion without a restart.
 *
 * The current model is one reference, replaced whole: a request reads it once and scores
 * with it to the end, so a swap can never fail (or mix versions within) a request. The
 * promotion pointer is re-checked at most every `checkEveryMs` by a cheap fingerprint (a
 * file's mtime and size locally, an object's ETag in S3); only a changed fingerprint loads.
 */

/** What the holder needs from a model registry. */
export interface PromotedModelSource<M> {
  /** Cheap: changes whenever the promoted version may have changed; undefined when nothing is promoted. */
  fingerprint(): Promise<string | undefined>;
  /** The promoted version and its model, or undefined when nothing is promoted. */
  loadPromoted(): Promise<{ version: string; model: M } | undefined>;
}

export interface LoadedModel<M> {
  readonly version: string;
  readonly model: M;
  readonly loadedAt: number;
}

export interface ModelHolder<M> {
  /** The model to answer with now; undefined until one is loaded. Never awaits. */
  current(): LoadedModel<M> | undefined;
  /** Why the last load failed (a broken pointer, a broken artifact); undefined after a good one. */
  lastLoadError(): string | undefined;
  /**
   * Re-checks the pointer when a check is due (or when nothing is loaded yet). Only one
   * check runs at a time; callers that find one running go on with the current model.
   */
  refreshIfDue(): Promise<void>;
  /** Re-reads the pointer now (after this process promoted) and waits for the load. */
  reload(): Promise<void>;
}

export interface ModelHolderOptions<M> {
  readonly source: PromotedModelSource<M>;
  readonly checkEveryMs: number;
  readonly clock?: () => number;
  readonly onLoad?: (outcome: { ok: true; version: string } | { ok: false; error: unknown }) => void;
}

export function createModelHolder<M>(options: ModelHolderOptions<M>): ModelHolder<M> {
  const clock = options.clock ?? Date.now;
  let loaded: LoadedModel<M> | undefined;
  let fingerprint: string | undefined;
  let lastCheck = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let loadError: string | undefined;

  async function check(force: boolean): Promise<void> {
    lastCheck = clock();
    const seen = await options.source.fingerprint();
    if (!force && loaded && seen === fingerprint) return;
    try {
      const next = await options.source.loadPromoted();
      if (next && next.version !== loaded?.version) {
        loaded = { version: next.version, model: next.model, loadedAt: clock() };
        options.onLoad?.({ ok: true, version: next.version });
      }
      // Remembered only after a successful load, so a failed one is retried at the next check.
      fingerprint = seen;
      loadError = undefined;
    } catch (error) {
      loadError = error instanceof Error ? error.message : String(error);
      options.onLoad?.({ ok: false, error });
    }
  }

  const runCheck = (force: boolean) => {
    running ??= check(force).finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    current: () => loaded,
    lastLoadError: () => loadError,
    async refreshIfDue() {
      if (running) {
        // Nothing to answer with yet: wait for the load in progress rather than fail.
        if (!loaded) await running.catch(() => undefined);
        return;
      }
      if (loaded && clock() - lastCheck < options.checkEveryMs) return;
      await runCheck(false).catch((error) => options.onLoad?.({ ok: false, error }));
    },
    async reload() {
      if (running) await running.catch(() => undefined);
      await runCheck(true);
    },
  };
}
