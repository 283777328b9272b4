import { serve, type ServerType } from '@hono/node-server';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedToken } from './admin-token';
import { createServeAppWithBackend } from './app';
import { exampleBeer } from './beer-request-schema';
import { createInMemoryBackend } from './in-memory-backend.test-support';

let server: ServerType | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function startApp() {
  const app = createServeAppWithBackend({ backend: createInMemoryBackend().backend, auth: { token: fixedToken('t') } });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return { app, port: (server.address() as AddressInfo).port };
}

/** Sends the headers and half of a body over a real socket, then closes it without waiting for an answer. */
function sendHalfAndHangUp(port: number, chunked: boolean): Promise<void> {
  const body = JSON.stringify(exampleBeer);
  const half = body.slice(0, body.length >> 1);
  const head = ['POST /predict HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`, '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head + (chunked ? `${half.length.toString(16)}\r\n${half}\r\n` : half), () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

const metricLines = async (app: { request: (path: string) => Response | Promise<Response> }, prefix: string) =>
  (await (await app.request('/metrics')).text()).split('\n').filter((l) => l.startsWith(prefix));

describe('a client that hangs up mid-body', () => {
  it.each([false, true])('is counted as a client abort, never as a 5xx, and logged below ERROR (chunked: %s)', async (chunked) => {
    const { app, port } = await startApp();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const infos = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    for (let i = 0; i < 5; i++) await sendHalfAndHangUp(port, chunked);
    await vi.waitFor(async () => expect(await metricLines(app, 'brewlake_http_client_aborts_total')).toEqual(['brewlake_http_client_aborts_total{route="/predict"} 5']), { timeout: 3000 });
    const requests = await metricLines(app, 'brewlake_http_requests_total{');
    expect(requests.filter((l) => /status="5\d\d"/.test(l))).toEqual([]);
    expect(requests).toContain('brewlake_http_requests_total{method="POST",route="/predict",status="499"} 5');
    expect(errors).not.toHaveBeenCalled();
    expect(infos).toHaveBeenCalledTimes(5);
    expect(JSON.parse(String(infos.mock.calls[0]![0]))).toMatchObject({ level: 'INFO', message: 'client closed the request', path: '/predict' });
  });

  it('leaves the server answering the next client', async () => {
    const { port } = await startApp();
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    await sendHalfAndHangUp(port, false);
    const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(exampleBeer) });
    expect(res.status).toBe(200);
  });
});
