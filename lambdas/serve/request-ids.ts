/**
 * Request ids. The server's id is always its own (a fresh UUID): it is what the logs and the
 * prediction log are keyed by, so a client must not be able to choose it, repeat it or
 * shape it. A client's own id (sent as `X-Request-Id`) is kept apart as
 * `client_request_id`, and only when it is short and plain: nothing a log reader or a
 * query would have to escape.
 */
import type { MiddlewareHandler } from 'hono';

export const requestIdHeader = 'X-Request-Id';
export const clientRequestIdHeader = 'X-Client-Request-Id';

/** What a client id may look like: 1 to 64 of letters, digits and `._:-`, starting with a letter or digit. */
export const clientRequestIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export const clientRequestIdDescription = `the X-Request-Id the client sent, when it matched ${clientRequestIdPattern.source} (also in the X-Client-Request-Id header); absent otherwise`;

export type RequestIdVariables = {
  /** This server's id for the request. */
  requestId: string;
  /** The client's id for it, when it sent a well-formed one. */
  clientRequestId: string | undefined;
};

/** The client's id when it is well-formed; undefined otherwise (never an error: it is only a courtesy). */
export function clientRequestIdOf(header: string | undefined): string | undefined {
  return header !== undefined && clientRequestIdPattern.test(header) ? header : undefined;
}

/** Sets both ids on the context and answers them in `X-Request-Id` and `X-Client-Request-Id`. */
export function requestIds(generate: () => string = () => crypto.randomUUID()): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const id = generate();
    const client = clientRequestIdOf(c.req.header(requestIdHeader));
    c.set('requestId', id);
    c.set('clientRequestId', client);
    c.header(requestIdHeader, id);
    if (client !== undefined) c.header(clientRequestIdHeader, client);
    await next();
  };
}
