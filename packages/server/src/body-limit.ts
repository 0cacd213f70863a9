/**
 * The request body limit (413 past `maxBytes`), cheap for the common case. Hono's `bodyLimit`
 * first asks for `c.req.raw.body`, which on @hono/node-server turns every request into a web
 * `Request` with a `ReadableStream` body, and the body is then read through that stream instead
 * of straight from the socket: on a `{}` request that was two thirds of the server's CPU time
 * (bench/RESULTS.md). A declared Content-Length is enough to decide, since Node's HTTP parser
 * never hands on more bytes than it declares; a streamed (chunked) body still goes through
 * Hono's `bodyLimit`, which counts the bytes as they come.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export function limitBody(maxBytes: number, onError: (c: Context) => Response): MiddlewareHandler {
  const counted = bodyLimit({ maxSize: maxBytes, onError });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    if (Number(declared) > maxBytes) return onError(c);
    await next();
  };
}
