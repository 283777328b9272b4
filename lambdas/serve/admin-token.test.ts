import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cachedTokenSource, checkToken, fixedToken, isPlaceholderToken, presentedToken } from './admin-token';

const headers = (h: Record<string, string>) => new Headers(h);

describe('admin token', () => {
  it('reads a bearer token or X-Admin-Token', () => {
    expect(presentedToken(headers({ authorization: 'Bearer s3cret' }))).toBe('s3cret');
    expect(presentedToken(headers({ 'x-admin-token': 's3cret' }))).toBe('s3cret');
    expect(presentedToken(headers({ authorization: 'Basic abc' }))).toBe('');
    expect(presentedToken(headers({}))).toBeUndefined();
  });

  it('answers 401 without a token, 403 with a wrong one or none configured, ok with the right one', async () => {
    expect(await checkToken(undefined, fixedToken('s3cret'))).toMatchObject({ ok: false, status: 401, name: 'MissingToken' });
    expect(await checkToken('', fixedToken('s3cret'))).toMatchObject({ ok: false, status: 401 });
    expect(await checkToken('s3cre', fixedToken('s3cret'))).toMatchObject({ ok: false, status: 403, name: 'WrongToken' });
    expect(await checkToken('s3cret-and-more', fixedToken('s3cret'))).toMatchObject({ ok: false, status: 403 });
    expect(await checkToken('anything', fixedToken(undefined))).toMatchObject({ ok: false, status: 403, name: 'TokenNotConfigured' });
    expect(await checkToken('s3cret', fixedToken('s3cret'))).toEqual({ ok: true });
  });

  it('refuses every admin call while the configured token is a placeholder, even one presenting that very value', async () => {
    for (const placeholder of ['change-me', 'CHANGE_ME', 'changeme', '<change-me>', 'placeholder', 'replace-me', '   ', 'xxxx', 'secret', 'TODO']) {
      expect(isPlaceholderToken(placeholder), placeholder).toBe(true);
      expect(await checkToken(placeholder, fixedToken(placeholder)), placeholder).toMatchObject({ ok: false, status: 403, name: 'PlaceholderToken' });
    }
  });

  it('accepts every generated token (openssl rand -hex 32)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (bytes) => {
        const token = Buffer.from(bytes).toString('hex');
        expect(isPlaceholderToken(token)).toBe(false);
        expect(await checkToken(token, fixedToken(token))).toEqual({ ok: true });
      }),
    );
  });

  it('caches a slow source until its time to live runs out, with one call in flight', async () => {
    let now = 0;
    let calls = 0;
    const source = cachedTokenSource(async () => `t${++calls}`, 1000, () => now);
    expect(await Promise.all([source(), source()])).toEqual(['t1', 't1']);
    now = 999;
    expect(await source()).toBe('t1');
    now = 1000;
    expect(await source()).toBe('t2');
    expect(calls).toBe(2);
  });
});
