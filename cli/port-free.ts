/**
 * Is the address `serve` will listen on free? Checked before the slow work (building the
 * lake, training a model), so a busy port is one line at once, not a stack trace later.
 */
import { createServer } from 'node:net';
import { hostAndPort } from '../lambdas/http-origin';

/** The port is taken (EADDRINUSE), or the host is not an address of this machine, or binding it is not allowed. */
export class PortUnavailable extends Error {
  override readonly name = 'PortUnavailable';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is in use: choose another with --port (--port 0 picks a free one)`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `cannot listen on ${host}: not an address of this machine; choose another with --host`
          : `cannot listen on ${hostAndPort(host, port)} (${code}): choose another --port or --host`,
    );
  }
}

/** An error from listening on host:port, as a `PortUnavailable` when it is one. */
export function portUnavailableOf(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code && ['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOTFOUND'].includes(code) ? new PortUnavailable(host, port, code) : error;
}

/** Resolves when host:port can be listened on (port 0 always can); rejects with `PortUnavailable` otherwise. */
export function ensurePortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(portUnavailableOf(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
