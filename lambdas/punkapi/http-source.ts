/**
 * A PunkAPI over HTTP, at any base URL: the shut-down original's shape (v2: `/beers/random`
 * is a one-element array), the community v3 mirror's (an object), or the local server.
 * Every request has a timeout and a size limit (an answer is read chunk by chunk and dropped
 * past it); timeouts, oversized answers, 429 and 5xx are retried with backoff within a bound
 * on attempts and on total time.
 */
import { backoffDelay, sleep, type BackoffPolicy } from '../retry-backoff';
import { maxPerPage, notABeerReason, type BeerSource, type CollectedBeer } from './beer-source';
import { UpstreamGarbage, UpstreamGaveUp, UpstreamStatus, UpstreamTimeout, UpstreamTooLarge, UpstreamUnreachable, isUpstreamError } from './upstream-errors';

export interface HttpSourceOptions {
  /** e.g. `https://punkapi.example/v2` or `http://127.0.0.1:8080/v3`; `/beers…` is appended. */
  readonly baseUrl: string;
  /** One request's limit. */
  readonly timeoutMs?: number;
  /** Tries per request, the first included. */
  readonly maxAttempts?: number;
  /** Bound on one request's tries and waits together. */
  readonly totalTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Largest answer read, in bytes: past it the body is dropped unread and the try fails (retried like a 5xx). */
  readonly maxResponseBytes?: number;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
}

export const httpSourceDefaults = {
  timeoutMs: 5_000,
  maxAttempts: 4,
  totalTimeoutMs: 20_000,
  backoff: { baseMs: 200, maxMs: 2_000 },
  // The whole bundled catalogue (325 beers) is 0.63 MB and a page of its 80 largest beers
  // 0.19 MB: 4 MiB is twenty pages of headroom and still a sliver of the Lambda's 256 MB.
  maxResponseBytes: 4 * 1024 * 1024,
} as const;

export function createHttpSource(options: HttpSourceOptions): BeerSource {
  const base = options.baseUrl.replace(/\/+$/, '');
  const getJson = jsonGetter(options);
  return {
    description: base,
    async random(count) {
      const beers: CollectedBeer[] = [];
      for (let i = 0; i < count; i++) {
        const url = `${base}/beers/random`;
        const body = await getJson(url);
        // v2 answers [beer], v3 answers beer.
        const beer = Array.isArray(body) ? (body.length === 1 ? body[0] : garbage(url, `expected one beer, got an array of ${body.length}`)) : body;
        beers.push(asBeer(url, beer));
      }
      return beers;
    },
    async *pages(perPage) {
      const size = Math.min(Math.max(1, perPage), maxPerPage);
      // A source that ignores `page` answers the same beers again: stop when a page adds nothing new.
      const seen = new Set<number>();
      for (let page = 1; ; page++) {
        const url = `${base}/beers?page=${page}&per_page=${size}`;
        const body = await getJson(url);
        if (!Array.isArray(body)) garbage(url, 'expected an array of beers');
        const beers = body.map((b) => asBeer(url, b)).filter((b) => !seen.has(b.id));
        for (const b of beers) seen.add(b.id);
        if (beers.length > 0) yield beers;
        if (beers.length === 0 || body.length < size) return;
      }
    },
  };
}

function asBeer(url: string, value: unknown): CollectedBeer {
  const reason = notABeerReason(value);
  if (reason) garbage(url, reason);
  return value as CollectedBeer;
}

function garbage(url: string, reason: string): never {
  throw new UpstreamGarbage(url, reason);
}

function jsonGetter(options: HttpSourceOptions) {
  const timeoutMs = options.timeoutMs ?? httpSourceDefaults.timeoutMs;
  const maxAttempts = options.maxAttempts ?? httpSourceDefaults.maxAttempts;
  const totalTimeoutMs = options.totalTimeoutMs ?? httpSourceDefaults.totalTimeoutMs;
  const backoff = options.backoff ?? httpSourceDefaults.backoff;
  const fetchImpl = options.fetch ?? fetch;
  const maxResponseBytes = options.maxResponseBytes ?? httpSourceDefaults.maxResponseBytes;

  async function once(url: string, budgetMs: number): Promise<unknown> {
    const limit = Math.max(1, Math.min(timeoutMs, budgetMs));
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(limit) });
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new UpstreamStatus(url, response.status, retryAfterMs(response.headers.get('retry-after')));
      }
      const declared = Number(response.headers.get('content-length'));
      if (declared > maxResponseBytes) {
        await response.body?.cancel().catch(() => {});
        throw new UpstreamTooLarge(url, maxResponseBytes, `it declares ${declared} bytes`);
      }
      // Content-Length may be absent (chunked) or lying: count the bytes as they arrive.
      text = await readTextCapped(url, response, maxResponseBytes);
    } catch (error) {
      if (isUpstreamError(error)) throw error;
      if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw new UpstreamTimeout(url, limit);
      throw new UpstreamUnreachable(url, error);
    }
    try {
      return JSON.parse(text);
    } catch {
      return garbage(url, `body is not JSON (${JSON.stringify(text.slice(0, 40))})`);
    }
  }

  return async function getJson(url: string): Promise<unknown> {
    const started = Date.now();
    const attempts: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const remaining = totalTimeoutMs - (Date.now() - started);
      try {
        return await once(url, remaining);
      } catch (error) {
        if (!isUpstreamError(error)) throw error;
        attempts.push(error.name === 'UpstreamStatus' ? `HTTP ${(error as UpstreamStatus).status}` : error.name);
        if (!error.retryable) throw error;
        const hinted = error instanceof UpstreamStatus ? error.retryAfterMs : undefined;
        const wait = Math.min(hinted ?? backoffDelay(attempt, backoff, options.random), backoff.maxMs * 5);
        const left = totalTimeoutMs - (Date.now() - started);
        if (attempt >= maxAttempts || wait >= left) throw new UpstreamGaveUp(url, attempts, error);
        await sleep(wait);
      }
    }
  };
}

/** The body as UTF-8 text, read chunk by chunk and abandoned as soon as it passes `limit` bytes. */
async function readTextCapped(url: string, response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new UpstreamTooLarge(url, limit, `more than ${limit} bytes arrived`);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
