/**
 * Exponential backoff with full jitter, shared by every retry loop in the handlers
 * (upstream HTTP calls, PutRecords entries): retries spread out instead of arriving in
 * lock-step against a service that is already struggling.
 */
export interface BackoffPolicy {
  /** Delay bound of the first retry. */
  readonly baseMs: number;
  /** No single wait is longer than this. */
  readonly maxMs: number;
}

/** The wait before retry number `attempt` (1-based): uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
