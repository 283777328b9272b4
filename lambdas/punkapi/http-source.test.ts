import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPunkApiServer, type RunningPunkApiServer } from '../../local/punkapi-server';
import { catalogue } from './catalogue';
import { createHttpSource } from './http-source';
import { UpstreamGarbage, UpstreamGaveUp, UpstreamStatus } from './upstream-errors';

const fast = { timeoutMs: 300, maxAttempts: 3, totalTimeoutMs: 5_000, backoff: { baseMs: 5, maxMs: 20 } };

/** A one-off upstream that answers each request with the next scripted reply. */
async function scriptedServer(replies: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  let calls = 0;
  const server = createServer((req, res) => {
    const reply = replies[Math.min(calls, replies.length - 1)]!;
    calls++;
    reply(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/v2`,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};
const beer = catalogue[0]!;

describe('the HTTP source against the local PunkAPI server', () => {
  let server: RunningPunkApiServer;
  beforeAll(async () => void (server = await startPunkApiServer({ random: () => 0.5 })));
  afterAll(() => server.close());

  it.each(['v2', 'v3'] as const)('backfills all 325 beers, in pages of at most 80 (%s)', async (version) => {
    const source = createHttpSource({ baseUrl: version === 'v2' ? server.url : server.v3Url });
    const pages: number[] = [];
    const ids = new Set<number>();
    for await (const page of source.pages(80)) {
      pages.push(page.length);
      for (const b of page) ids.add(b.id);
    }
    expect(ids.size).toBe(325);
    expect(pages).toEqual([80, 80, 80, 80, 5]);
  });

  it('takes a random beer from a v2 array and from a v3 object', async () => {
    const [v2] = await createHttpSource({ baseUrl: server.url }).random(1);
    const [v3] = await createHttpSource({ baseUrl: server.v3Url }).random(1);
    expect(v2!.id).toBe(v3!.id);
    expect(v2).toHaveProperty('image_url');
    expect(v3).toHaveProperty('image');
    expect(v3).not.toHaveProperty('image_url');
  });

  it('asks for more than 80 per page as 80, the API limit', async () => {
    const first = await createHttpSource({ baseUrl: server.url }).pages(500)[Symbol.asyncIterator]().next();
    expect(first.value).toHaveLength(80);
  });
});

describe('the HTTP source when the upstream misbehaves', () => {
  it('retries a 500 and succeeds', async () => {
    const up = await scriptedServer([json(500, { message: 'boom' }), json(200, [beer])]);
    try {
      expect((await createHttpSource({ baseUrl: up.base, ...fast }).random(1))[0]!.id).toBe(beer.id);
      expect(up.calls()).toBe(2);
    } finally {
      await up.close();
    }
  });

  it('waits out a 429 as its Retry-After says, then succeeds', async () => {
    const up = await scriptedServer([json(429, {}, { 'retry-after': '0' }), json(200, beer)]);
    try {
      expect((await createHttpSource({ baseUrl: up.base, ...fast }).random(1))[0]!.id).toBe(beer.id);
      expect(up.calls()).toBe(2);
    } finally {
      await up.close();
    }
  });

  it('times out a hanging upstream, retries within the bound, then gives up saying what it tried', async () => {
    const up = await scriptedServer([() => {}]);
    try {
      const error = await createHttpSource({ baseUrl: up.base, ...fast }).random(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamGaveUp);
      expect((error as UpstreamGaveUp).attempts).toEqual(['UpstreamTimeout', 'UpstreamTimeout', 'UpstreamTimeout']);
      expect(up.calls()).toBe(3);
    } finally {
      await up.close();
    }
  });

  it('gives up on a 5xx that never ends after maxAttempts', async () => {
    const up = await scriptedServer([json(503, {})]);
    try {
      const error = await createHttpSource({ baseUrl: up.base, ...fast }).random(1).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/gave up after 3 attempt\(s\): HTTP 503; HTTP 503; HTTP 503/);
    } finally {
      await up.close();
    }
  });

  it.each([
    ['a body that is not JSON', (_: IncomingMessage, res: ServerResponse) => res.end('<html>gateway</html>'), /body is not JSON/],
    ['a beer without an id', json(200, [{ name: 'x' }]), /id: expected a positive whole number/],
    ['an empty array', json(200, []), /expected one beer, got an array of 0/],
  ])('names garbage (%s) without retrying it', async (_, reply, message) => {
    const up = await scriptedServer([reply]);
    try {
      const error = await createHttpSource({ baseUrl: up.base, ...fast }).random(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamGarbage);
      expect((error as Error).message).toMatch(message);
      expect(up.calls()).toBe(1);
    } finally {
      await up.close();
    }
  });

  it('does not retry a 404', async () => {
    const up = await scriptedServer([json(404, {})]);
    try {
      const error = await createHttpSource({ baseUrl: up.base, ...fast }).random(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamStatus);
      expect(up.calls()).toBe(1);
    } finally {
      await up.close();
    }
  });

  it('stops a backfill from a source that ignores paging once a page adds nothing new', async () => {
    const up = await scriptedServer([json(200, catalogue.slice(0, 100))]);
    try {
      const ids: number[] = [];
      for await (const page of createHttpSource({ baseUrl: up.base, ...fast }).pages(80)) ids.push(...page.map((b) => b.id));
      expect(new Set(ids).size).toBe(100);
      expect(ids).toHaveLength(100);
    } finally {
      await up.close();
    }
  });
});
