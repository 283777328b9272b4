import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../lambdas/punkapi/catalogue';
import { startPunkApiServer, type RunningPunkApiServer } from './punkapi-server';

describe('the local PunkAPI server', () => {
  let server: RunningPunkApiServer;
  beforeAll(async () => void (server = await startPunkApiServer({ random: () => 0 })));
  afterAll(() => server.close());
  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as any };
  };

  it('pages the catalogue with page and per_page', async () => {
    const { body } = await get(`${server.url}/beers?page=2&per_page=10`);
    expect(body.map((b: { id: number }) => b.id)).toEqual(catalogue.slice(10, 20).map((b) => b.id));
    expect((await get(`${server.url}/beers?page=99&per_page=80`)).body).toEqual([]);
  });

  it('refuses per_page over 80 and page 0 as the PunkAPI did', async () => {
    const tooMany = await get(`${server.url}/beers?per_page=81`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.data[0]).toMatchObject({ param: 'per_page', value: '81' });
    expect((await get(`${server.url}/beers?page=0`)).status).toBe(400);
  });

  it('answers a beer by id: a one-element array in v2, an object with image in v3; 404 for unknown', async () => {
    expect((await get(`${server.url}/beers/1`)).body).toEqual([catalogue.find((b) => b.id === 1)]);
    const v3 = (await get(`${server.v3Url}/beers/1`)).body;
    expect(v3).toMatchObject({ id: 1, image: 'keg.png' }); // the file name of v2's image_url
    expect(v3).not.toHaveProperty('image_url');
    const missing = await get(`${server.url}/beers/9999`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/9999/);
  });

  it('answers random in both shapes', async () => {
    expect((await get(`${server.url}/beers/random`)).body).toEqual([catalogue[0]]);
    expect((await get(`${server.v3Url}/beers/random`)).body.id).toBe(catalogue[0]!.id);
  });
});
