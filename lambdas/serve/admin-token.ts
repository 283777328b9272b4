/**
 * The admin token: who may retrain and promote (and predict, when the setting asks).
 * The secret comes from a `TokenSource` (an env variable locally, SSM Parameter Store in
 * AWS); the check is constant-time and tells 401 (no credentials) from 403 (wrong ones).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Where the configured secret comes from; `undefined` when none is configured. */
export type TokenSource = () => Promise<string | undefined>;

export type TokenCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403; readonly name: 'MissingToken' | 'WrongToken' | 'TokenNotConfigured' | 'PlaceholderToken'; readonly message: string };

/** The environment variable that holds the token locally. */
export const adminTokenEnv = 'BREWLAKE_ADMIN_TOKEN';

export const tokenFromEnv =
  (env: NodeJS.ProcessEnv = process.env): TokenSource =>
  async () =>
    env[adminTokenEnv] || undefined;

export const fixedToken =
  (token: string | undefined): TokenSource =>
  async () =>
    token;

/** Caches a slow source (SSM) for `ttlMs`, so rotation is picked up without a call per request. */
export function cachedTokenSource(source: TokenSource, ttlMs: number, now: () => number = Date.now): TokenSource {
  let cached: { value: string | undefined; at: number } | undefined;
  let pending: Promise<string | undefined> | undefined;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.value;
    pending ??= source()
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/** `Authorization: Bearer <token>` or `X-Admin-Token: <token>`; undefined when neither. */
export function presentedToken(headers: { get(name: string): string | null | undefined }): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match?.[1] ?? '';
  }
  return headers.get('x-admin-token') ?? undefined;
}

// Values people (and templates) leave in place of a secret: a server configured with one
// refuses admin routes rather than let anyone who guesses it retrain or promote.
const placeholderPattern = /^(change[-_ ]?me|replace[-_ ]?me|set[-_ ]?me|placeholder|todo|tbd|fixme|xx+|secret|password|passw0rd|token|admin|default|example|test|dummy|none|null|undefined|[*.-]+)$/i;

/** True for a value that only stands in for a token (`change-me`, `placeholder`, blank, …). */
export function isPlaceholderToken(token: string): boolean {
  const trimmed = token.trim().replace(/^<(.*)>$/, '$1');
  return trimmed === '' || placeholderPattern.test(trimmed);
}

// Hashing first makes the comparison length-independent as well as constant-time.
const digest = (s: string) => createHash('sha256').update(s).digest();

export async function checkToken(presented: string | undefined, source: TokenSource): Promise<TokenCheck> {
  if (presented === undefined || presented === '') {
    return { ok: false, status: 401, name: 'MissingToken', message: 'this route needs the admin token: Authorization: Bearer <token>' };
  }
  const expected = await source();
  if (expected === undefined || expected === '') {
    return { ok: false, status: 403, name: 'TokenNotConfigured', message: 'no admin token is configured on this server: admin routes are disabled' };
  }
  if (isPlaceholderToken(expected)) {
    return { ok: false, status: 403, name: 'PlaceholderToken', message: 'the configured admin token is a placeholder: admin routes are disabled until a real token is set' };
  }
  if (!timingSafeEqual(digest(presented), digest(expected))) {
    return { ok: false, status: 403, name: 'WrongToken', message: 'the admin token is not valid' };
  }
  return { ok: true };
}
