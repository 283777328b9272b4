/**
 * The serving app on a Node HTTP server (`brewlake serve`, the tests, the benchmark): the
 * same app the Lambda runs, over the local registry, with Swagger UI served from npm.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createLocalRegistry, type ModelRegistry } from '../../model/registry';
import { httpOrigin } from '../http-origin';
import { tokenFromEnv } from './admin-token';
import type { CreateServeAppOptions } from './serve-app';
import { mountMonitor, type LakeMonitor } from './monitor';
import { createServeApp } from './serve-app';
import { swaggerUiDistAssets } from './swagger-ui-dist-assets';

export interface ServeServerOptions extends Partial<Omit<CreateServeAppOptions, 'registry'>> {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** The local registry folder; ignored when `registry` is given. */
  readonly registryDir?: string;
  readonly registry?: ModelRegistry;
  /** Mounts the /monitor dashboard over the lake's prediction log. */
  readonly monitor?: LakeMonitor;
}

export interface ServeServer {
  readonly url: string;
  readonly port: number;
  readonly app: ReturnType<typeof createServeApp>;
  close(): Promise<void>;
}

export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const registry = options.registry ?? (options.registryDir ? createLocalRegistry(options.registryDir) : undefined);
  if (!registry) throw new Error('startServeServer: give a registry or a registryDir');
  const { port, host = '127.0.0.1', registryDir: _dir, registry: _r, monitor, ...appOptions } = options;
  const app = createServeApp({ auth: { token: tokenFromEnv() }, docsAssets: swaggerUiDistAssets(), ...appOptions, registry });
  if (monitor) mountMonitor(app, monitor);
  // A busy port rejects (the error carries its code, EADDRINUSE) instead of crashing the process.
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    url: httpOrigin(host, address.port),
    port: address.port,
    app,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would hold close() open until they time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
