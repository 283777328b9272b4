/**
 * What can go wrong talking to a PunkAPI, as named errors that say what was asked and
 * what was tried, so a failed tick's log line is enough to act on.
 */
abstract class UpstreamError extends Error {
  abstract override readonly name: string;
  /** Worth another attempt (timeouts, 429, 5xx, connection failures). */
  abstract readonly retryable: boolean;
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`);
  }
}

export class UpstreamTimeout extends UpstreamError {
  readonly name = 'UpstreamTimeout';
  readonly retryable = true;
  constructor(url: string, readonly timeoutMs: number) {
    super(url, `no answer within ${timeoutMs} ms`);
  }
}

export class UpstreamStatus extends UpstreamError {
  readonly name = 'UpstreamStatus';
  readonly retryable: boolean;
  constructor(url: string, readonly status: number, readonly retryAfterMs?: number) {
    super(url, `answered HTTP ${status}`);
    this.retryable = status === 429 || status >= 500;
  }
}

export class UpstreamUnreachable extends UpstreamError {
  readonly name = 'UpstreamUnreachable';
  readonly retryable = true;
  constructor(url: string, cause: unknown) {
    super(url, `could not connect (${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)})`);
  }
}

export class UpstreamTooLarge extends UpstreamError {
  readonly name = 'UpstreamTooLarge';
  // Like a 5xx: a proxy or a broken deploy answering an oversized page may be gone on the next try.
  readonly retryable = true;
  constructor(url: string, readonly limitBytes: number, detail: string) {
    super(url, `answer larger than the limit of ${limitBytes} bytes (${detail}); the rest was not read`);
  }
}

export class UpstreamGarbage extends UpstreamError {
  readonly name = 'UpstreamGarbage';
  // The same URL will answer the same garbage: retrying only delays the error.
  readonly retryable = false;
  constructor(url: string, reason: string) {
    super(url, `not a PunkAPI answer: ${reason}`);
  }
}

/** The retry budget ran out; `attempts` lists what each try ended with. */
export class UpstreamGaveUp extends Error {
  override readonly name = 'UpstreamGaveUp';
  constructor(
    readonly url: string,
    readonly attempts: readonly string[],
    readonly last: Error,
  ) {
    super(`${url}: gave up after ${attempts.length} attempt(s): ${attempts.join('; ')}`);
  }
}

export type { UpstreamError };
export const isUpstreamError = (e: unknown): e is UpstreamError =>
  e instanceof UpstreamTimeout || e instanceof UpstreamStatus || e instanceof UpstreamTooLarge || e instanceof UpstreamUnreachable || e instanceof UpstreamGarbage;
