import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPunkApiServer, type RunningPunkApiServer } from '../../local/punkapi-server';
import { catalogue } from './catalogue';
import { createHttpSource } from './http-source';
import { UpstreamGarbage, UpstreamGaveUp, UpstreamStatus, UpstreamTooLarge } from './upstream-errors';

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
    // Too deep for JSON.stringify, which once described it with a RangeError instead.
    ['a beer whose id is an object nested 100,000 deep', (_: IncomingMessage, res: ServerResponse) => res.end(`[{"id":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]`), /id: expected a positive whole number, got an object nested deeper than 32 levels/],
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

  /** An upstream that streams `[` and then spaces forever (with backpressure), counting what it managed to send. */
  function endlessBody(headers: Record<string, string>) {
    const sent = { bytes: 0 };
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const reply = (_: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.write('[');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent.bytes += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    };
    return { reply, sent };
  }

  it.each([
    ['chunked, with no Content-Length', {}],
    ['declaring a size past the limit', { 'content-length': String(10 * 1024 ** 3) }],
  ])('stops reading an endless body (%s) at the size limit, and retries it as an upstream error', async (_, headers) => {
    const endless = endlessBody(headers);
    const up = await scriptedServer([endless.reply]);
    const limit = 256 * 1024;
    try {
      // A timeout far beyond the test's: only the size limit can end these tries.
      const source = createHttpSource({ baseUrl: up.base, ...fast, timeoutMs: 60_000, totalTimeoutMs: 120_000, maxResponseBytes: limit });
      const error = await source.random(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamGaveUp);
      expect((error as UpstreamGaveUp).attempts).toEqual(['UpstreamTooLarge', 'UpstreamTooLarge', 'UpstreamTooLarge']);
      expect((error as UpstreamGaveUp).last).toBeInstanceOf(UpstreamTooLarge);
      expect((error as UpstreamGaveUp).last.message).toMatch(/larger than the limit of 262144 bytes/);
      expect(up.calls()).toBe(3);
      // What the upstream got out is bounded by the limit plus socket buffers, not by time.
      expect(endless.sent.bytes).toBeLessThan(3 * (limit + 16 * 1024 * 1024));
    } finally {
      await up.close();
    }
  });

  it('reads an answer just under the limit', async () => {
    const up = await scriptedServer([json(200, [beer])]);
    try {
      const size = Buffer.byteLength(JSON.stringify([beer]));
      expect((await createHttpSource({ baseUrl: up.base, ...fast, maxResponseBytes: size }).random(1))[0]!.id).toBe(beer.id);
      const error = await createHttpSource({ baseUrl: up.base, ...fast, maxResponseBytes: size - 1 }).random(1).catch((e: unknown) => e);
      expect((error as UpstreamGaveUp).last).toBeInstanceOf(UpstreamTooLarge);
    } finally {
      await up.close();
    }
  });
});
