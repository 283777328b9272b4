/**
 * `brewlake demo`: the local lake end to end. Starts the stack, runs the ingest handler in
 * backfill mode against the local PunkAPI server (so HTTP is exercised), then random
 * ticks, waits until both zones are delivered, and reconciles what was put with what the
 * lake holds. Live mode keeps ticking until aborted, then stops cleanly.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { PutRecordsIncomplete } from '../lambdas/ingest/put-beer-records';
import type { CollectedBeer } from '../lambdas/punkapi/beer-source';
import type { ProcessorSettings, ReadOutage } from './firehose/delivery-stream';
import { startLocalLake, type LakeDeliveryStats, type LocalLake, type PunkApiServer } from './lake-stack';
import { reconcile, type Reconciliation } from './reconciliation';

/** The ingest handler as the demo drives it. */
export interface DemoIngest {
  /** Puts the whole catalogue; resolves with the number of records put. */
  backfill(progress: (put: number, total: number) => void): Promise<number>;
  /**
   * Puts one random beer; resolves with the number of records put. Rejects with
   * PutRecordsIncomplete when Kinesis does not take it: what was put and what was not.
   */
  tick(): Promise<number>;
  /** Puts beers again that an earlier put did not write (PutRecordsIncomplete's `notPut`); the same answers as `tick`. */
  putAgain(beers: readonly CollectedBeer[]): Promise<number>;
}

export interface IngestTarget {
  readonly punkApiUrl: string;
  readonly kinesis: KinesisClient;
  readonly streamName: string;
}

/** The handlers and servers the demo runs; the CLI passes the real ones. */
export interface DemoParts {
  readonly transformation: ProcessorSettings;
  readonly startPunkApi: () => Promise<PunkApiServer>;
  readonly ingest: (target: IngestTarget) => DemoIngest;
}

export interface DemoOptions {
  readonly lakeDir: string;
  /** Random ticks after the backfill. */
  readonly ticks: number;
  /** Progress lines ("backfill 160/325", "delivered 300/330"). */
  readonly progress?: (line: string) => void;
  /** After each batch delivered into a table (a file in the lake), e.g. to refresh the lake's catalog file. */
  readonly onDelivered?: () => void;
  /** Keep ticking after the reconciliation until `signal` aborts. */
  readonly live?: {
    readonly signal: AbortSignal;
    readonly tickIntervalMs: number;
    /** Longest wait between ticks while they fail (the wait doubles from `tickIntervalMs`); default `liveRetryCapMs`. */
    readonly retryCapMs?: number;
    readonly onReconciled: (summary: DemoSummary) => void;
  };
}

export interface DemoSummary extends Reconciliation {
  readonly lakeDir: string;
  readonly punkApiUrl: string;
  readonly kinesisEndpoint: string;
  readonly streamName: string;
  readonly ticks: number;
  readonly files: { readonly raw: number; readonly cleaned: number; readonly errors: number };
  /** From start-up to the reconciliation. */
  readonly wallMs: number;
}

export const defaultDemoTicks = 5;
export const defaultLiveTickIntervalMs = 3_000;
/** A failing tick is tried again after 2×, 4×, … the interval, never more than this apart. */
export const liveRetryCapMs = 30_000;

export async function runDemo(options: DemoOptions, parts: DemoParts): Promise<DemoSummary> {
  const started = performance.now();
  const say = options.progress ?? (() => {});
  let put = 0;
  // Both zones report each delivery, and draining reports the total once more: a count
  // already said is not said again.
  let lastDelivered = '';
  const sayDelivered = (stats: LakeDeliveryStats) => {
    const line = `delivered ${deliveredCount(stats)}/${put}`;
    if (line !== lastDelivered) say(line);
    lastDelivered = line;
  };
  const lake = await startLocalLake({
    lakeDir: options.lakeDir,
    transformation: parts.transformation,
    startPunkApi: parts.startPunkApi,
    onDelivery: (_stream, delivery, stats) => {
      sayDelivered(stats);
      // A batch wholly failed went to errors/, which is no table.
      if (delivery.dataKey !== undefined) options.onDelivered?.();
    },
    onReadOutage: (outage) => say(describeOutage(outage)),
  });
  try {
    say(`lake ${options.lakeDir}: PunkAPI ${lake.punkApiUrl}, Kinesis ${lake.kinesisEndpoint} (stream ${lake.streamName})`);
    const ingest = parts.ingest({ punkApiUrl: lake.punkApiUrl, kinesis: lake.kinesis, streamName: lake.streamName });
    put += await ingest.backfill((done, total) => say(`backfill ${done}/${total}`));
    for (let i = 1; i <= options.ticks; i++) {
      put += await ingest.tick();
      say(`tick ${i}/${options.ticks}`);
    }
    let summary = await settle(lake, put, options, started, say, sayDelivered);
    if (options.live) {
      options.live.onReconciled(summary);
      const outcome = await tickLive(ingest, options.live, { put, ticks: options.ticks }, say);
      put = outcome.put;
      summary = { ...(await settle(lake, put, options, started, say, sayDelivered)), ticks: outcome.ticks };
    }
    return summary;
  } finally {
    await lake.stop();
  }
}

/** An ingest outage as the live loop sees it: since when ticks fail, and how many have. */
interface IngestOutage {
  readonly since: number;
  failedTicks: number;
}

/**
 * The live loop: a tick a `tickIntervalMs` until aborted. A tick that fails (Kinesis not
 * answering) is reported in one line with how long ticks have failed so far, and tried again
 * with a wait that doubles up to `retryCapMs`; the beers Kinesis did not take are held and
 * put again first, so nothing a tick fetched is lost, and the records of a half-written put
 * are counted once.
 */
async function tickLive(
  ingest: DemoIngest,
  live: NonNullable<DemoOptions['live']>,
  before: { readonly put: number; readonly ticks: number },
  say: (line: string) => void,
): Promise<{ put: number; ticks: number }> {
  const cap = Math.max(live.tickIntervalMs, live.retryCapMs ?? liveRetryCapMs);
  let { put, ticks } = before;
  let held: readonly CollectedBeer[] = [];
  let outage: IngestOutage | undefined;
  let wait = live.tickIntervalMs;
  /** Runs `step`; a failure is answered, not thrown, and what a half-written put did write is counted. */
  const attempt = async (step: () => Promise<void>): Promise<unknown> => {
    try {
      await step();
      return undefined;
    } catch (error) {
      if (error instanceof PutRecordsIncomplete) {
        put += error.written;
        held = error.notPut;
      }
      return error;
    }
  };
  const putHeld = async () => {
    if (held.length === 0) return;
    put += await ingest.putAgain(held);
    held = [];
  };
  while (!live.signal.aborted) {
    await abortableSleep(wait, live.signal);
    if (live.signal.aborted) break;
    const tickStarted = Date.now();
    const error = await attempt(async () => {
      await putHeld();
      put += await ingest.tick();
    });
    if (error === undefined) {
      ticks++;
      if (outage) say(`ingest: ticking again after ${seconds(Date.now() - outage.since)} (${outage.failedTicks} failed ticks); every held record written`);
      outage = undefined;
      wait = live.tickIntervalMs;
      say(`tick ${ticks} (put ${put})`);
      continue;
    }
    outage ??= { since: tickStarted, failedTicks: 0 };
    outage.failedTicks++;
    wait = Math.min(wait * 2, cap);
    say(
      `ingest: tick failed, failing for ${seconds(Date.now() - outage.since)} so far (${outage.failedTicks} failed ticks, ${held.length} record(s) held); ` +
        `next try in ${seconds(wait)}: ${describeError(error)}`,
    );
  }
  if (held.length > 0) {
    // Stopping: one last try, so that a short outage at the end loses nothing either.
    const error = await attempt(putHeld);
    if (error !== undefined) say(`ingest: stopping with ${held.length} record(s) not written: ${describeError(error)}`);
  }
  return { put, ticks };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** One readable line per outage edge: when Kinesis stops answering a delivery stream, and when it is back. */
export const describeOutage = (outage: ReadOutage): string =>
  outage.kind === 'started'
    ? `${outage.deliveryStream}: Kinesis not answering (${outage.error}); retrying until it is back, nothing is lost`
    : `${outage.deliveryStream}: Kinesis back after ${seconds(outage.downMs)} (${outage.failedReads} failed reads); delivering what was put meanwhile`;

const deliveredCount = (s: LakeDeliveryStats) =>
  Math.min(s.raw.recordsDelivered + s.raw.recordsFailed, s.cleaned.recordsDelivered + s.cleaned.recordsFailed + s.cleaned.recordsDropped);

async function settle(
  lake: LocalLake,
  put: number,
  options: DemoOptions,
  started: number,
  say: (line: string) => void,
  sayDelivered: (stats: LakeDeliveryStats) => void,
): Promise<DemoSummary> {
  say(`draining: waiting for ${put} records in raw and cleaned`);
  const delivered = await lake.drain();
  sayDelivered(delivered);
  const reconciliation = await reconcile(lake.lakeDir, put, delivered);
  return {
    ...reconciliation,
    lakeDir: lake.lakeDir,
    punkApiUrl: lake.punkApiUrl,
    kinesisEndpoint: lake.kinesisEndpoint,
    streamName: lake.streamName,
    ticks: options.ticks,
    files: { raw: delivered.raw.dataFiles.length, cleaned: delivered.cleaned.dataFiles.length, errors: delivered.cleaned.errorFiles.length + delivered.raw.errorFiles.length },
    wallMs: Math.round(performance.now() - started),
  };
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
