import { expect, it } from 'vitest';
import { fixedToken } from './admin-token';
import { startServeServer } from './node-server';
import { registryWithTwoVersions } from './registry-fixture.test-support';

it('GET / (the address brewlake serve prints) redirects to /docs, which answers', async () => {
  const { registry } = await registryWithTwoVersions();
  const server = await startServeServer({ port: 0, registry, auth: { token: fixedToken('t') } });
  try {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/docs');
    const followed = await fetch(`${server.url}/`);
    expect(followed.url).toBe(`${server.url}/docs`);
    expect(followed.status).toBe(200);
    expect(await followed.text()).toMatch(/swagger/i);
  } finally {
    await server.close();
  }
});
