/**
 * The gate in front of every JSON route: content type, size (declared and actual) and JSON
 * encoding are checked before validation, so nothing oversized is buffered whole or parsed.
 */
import type { MiddlewareHandler } from 'hono';
import type { ErrorName } from './request-errors';

/**
 * 499 (nginx's "client closed request"): the client went away before its body was read. No
 * one reads the answer; the status is for the metrics, which must not count it as a 5xx.
 */
export const clientClosedRequestStatus = 499;

export type BodyRefusal = { readonly status: 400 | 413 | 415 | typeof clientClosedRequestStatus; readonly name: ErrorName; readonly message: string; readonly path: string };

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/** Reads at most `limit` bytes; stops (and cancels the stream) as soon as the body is larger. */
async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | 'too-large'> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return 'too-large';
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks the body and leaves its text in Hono's body cache, where the route's validator
 * (`c.req.json()`) parses it without reading the stream again.
 */
export function jsonBodyGate(maxBodyBytes: number, refuse: (c: Parameters<MiddlewareHandler>[0], refusal: BodyRefusal) => Response): MiddlewareHandler {
  return async (c, next) => {
    const contentType = c.req.header('content-type') ?? '';
    if (!jsonContentType.test(contentType)) {
      return refuse(c, {
        status: 415,
        name: 'UnsupportedMediaType',
        message: `the body must be JSON (Content-Type: application/json), got ${contentType === '' ? 'no Content-Type' : JSON.stringify(contentType)}`,
        path: 'Content-Type',
      });
    }
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      return refuse(c, { status: 413, name: 'PayloadTooLarge', message: `the body declares ${declared} bytes; the limit is ${maxBodyBytes}`, path: 'Content-Length' });
    }
    // With a declared length within the limit the whole body is read in one go (on Node, the
    // server's fast path, which reads no more than the declared length); without one
    // (chunked), the stream is read only up to the limit.
    let bytes: Uint8Array | 'too-large';
    try {
      bytes = declared !== undefined ? new Uint8Array(await c.req.raw.arrayBuffer()) : await readCapped(c.req.raw.body, maxBodyBytes);
    } catch (error) {
      // Reading the request can only fail on the client's side of the socket: it closed or
      // reset the connection mid-body. Not the server's fault, so not a 5xx.
      return refuse(c, {
        status: clientClosedRequestStatus,
        name: 'ClientClosedRequest',
        message: `the client closed the connection before the body was read (${error instanceof Error ? error.message : String(error)})`,
        path: '',
      });
    }
    if (bytes === 'too-large' || bytes.byteLength > maxBodyBytes) {
      return refuse(c, { status: 413, name: 'PayloadTooLarge', message: `the body is larger than the limit of ${maxBodyBytes} bytes`, path: '' });
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return refuse(c, { status: 400, name: 'MalformedJson', message: 'the body is not valid UTF-8', path: '' });
    }
    // Hono parses from its text cache (c.req.json()), once, in the route's validator; a syntax
    // error there surfaces as `malformedJsonMessage` (see the app's error handler).
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
    await next();
  };
}

/** Why a body is not JSON, for the answer: the parser's own words. */
export function jsonSyntaxError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
