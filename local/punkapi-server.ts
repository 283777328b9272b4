/**
 * A PunkAPI-compatible server on loopback over the bundled catalogue, so the ingest's
 * HTTP path runs for real with no internet. It speaks both shapes the ingest meets:
 * `/v2` (the original: `/beers/random` and `/beers/:id` answer one-element arrays) and
 * `/v3` (the community mirror: objects, `image` where v2 has `image_url`).
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { maxPerPage, type CollectedBeer } from '../lambdas/punkapi/beer-source';
import { catalogue } from '../lambdas/punkapi/catalogue';
import { httpOrigin } from '../lambdas/http-origin';

export interface PunkApiServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly beers?: readonly CollectedBeer[];
  readonly random?: () => number;
}

export interface RunningPunkApiServer {
  /** The v2 base URL, e.g. `http://127.0.0.1:40123/v2`. */
  readonly url: string;
  /** The v3 base URL. */
  readonly v3Url: string;
  close(): Promise<void>;
}

type Shape = (beer: CollectedBeer) => unknown;

/** v3 names the picture by file where v2 gave its URL. */
export function asV3Beer(beer: CollectedBeer): CollectedBeer {
  const { image_url: imageUrl, ...rest } = beer as CollectedBeer & { image_url?: unknown };
  return { ...rest, image: typeof imageUrl === 'string' ? imageUrl.slice(imageUrl.lastIndexOf('/') + 1) : null } as CollectedBeer;
}

const badRequest = (param: string, value: string | undefined, msg: string) => ({
  statusCode: 400,
  error: 'Bad Request',
  message: 'Invalid query params',
  data: [{ location: 'query', param, msg, value }],
});

export function createPunkApiApp(options: Pick<PunkApiServerOptions, 'beers' | 'random'> = {}): Hono {
  const beers = options.beers ?? catalogue;
  const byId = new Map(beers.map((b) => [b.id, b]));
  const random = options.random ?? Math.random;
  const app = new Hono();

  const routes = (version: string, one: Shape, many: (list: readonly CollectedBeer[]) => unknown) => {
    app.get(`/${version}/beers`, (c) => {
      const pageText = c.req.query('page');
      const perPageText = c.req.query('per_page');
      const page = pageText === undefined ? 1 : Number(pageText);
      const perPage = perPageText === undefined ? 25 : Number(perPageText);
      if (!Number.isInteger(page) || page < 1) return c.json(badRequest('page', pageText, 'Must be a number greater than 0'), 400);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > maxPerPage)
        return c.json(badRequest('per_page', perPageText, `Must be a number greater than 0 and less than or equal to ${maxPerPage}`), 400);
      return c.json(many(beers.slice((page - 1) * perPage, page * perPage)));
    });
    app.get(`/${version}/beers/random`, (c) => c.json(one(beers[Math.floor(random() * beers.length)]!) as object));
    app.get(`/${version}/beers/:id`, (c) => {
      const text = c.req.param('id');
      const id = Number(text);
      if (!Number.isInteger(id) || id < 1) return c.json({ ...badRequest('id', text, 'Must be a number greater than 0'), message: 'Invalid params' }, 400);
      const beer = byId.get(id);
      if (!beer) return c.json({ statusCode: 404, error: 'Not Found', message: `No beer found that matches the ID ${id}` }, 404);
      return c.json(one(beer) as object);
    });
  };
  routes('v2', (b) => [b], (list) => list);
  routes('v3', asV3Beer, (list) => list.map(asV3Beer));
  app.notFound((c) => c.json({ statusCode: 404, error: 'Not Found', message: `No endpoint ${c.req.path}` }, 404));
  return app;
}

export async function startPunkApiServer(options: PunkApiServerOptions = {}): Promise<RunningPunkApiServer> {
  const app = createPunkApiApp(options);
  const hostname = options.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname, port: options.port ?? 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const origin = httpOrigin(hostname, port);
  return {
    url: `${origin}/v2`,
    v3Url: `${origin}/v3`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would hold close() open until they time out.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
