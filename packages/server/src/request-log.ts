/**
 * One structured log line per request (pino): id, method, route, path, status, duration,
 * bytes in and out, faces found, client address and the API key's name. Never the body, the
 * query, or a header's value other than X-Request-Id, so no image and no key reaches a log.
 */
import type { ServerResponse } from 'node:http';

import type { MiddlewareHandler } from 'hono';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

import { clientAddress } from './client-address.js';
import type { LogFormat, LogLevel } from './config.js';
import type { ServerEnv } from './context.js';

/** `destination`: where JSON lines go (tests); default stdout. */
export function createLogger(format: LogFormat, level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  // pino-pretty in this thread, not as a worker transport: it is for humans at a terminal.
  return pino(options, pretty({ colorize: process.stdout.isTTY, sync: true }));
}

export function logRequests(logger: Logger, trustProxy: number): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const write = (bytesOut: number | undefined) =>
      logger.info(
        {
          reqId: c.get('requestId'),
          method: c.req.method,
          route: c.req.routePath,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - start) * 100) / 100,
          bytesIn: Number(c.req.header('content-length')) || 0,
          bytesOut,
          faces: c.get('faces'),
          client: clientAddress(c, trustProxy),
          key: c.get('keyName'),
        },
        'request',
      );
    // On Node the answer's size is known once it is sent; under app.request() (tests) it is
    // logged at once, with the size only when the answer declares it.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) {
      outgoing.once('close', () => write(Number(outgoing.getHeader('content-length')) || undefined));
    } else {
      write(Number(c.res.headers.get('content-length')) || undefined);
    }
  };
}
