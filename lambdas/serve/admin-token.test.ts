import { describe, expect, it } from 'vitest';
import { cachedTokenSource, checkToken, fixedToken, presentedToken } from './admin-token';

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
