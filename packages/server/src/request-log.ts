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
import type { LogFormat, LogLevel } from './types.js';
import type { ServerEnv } from './context.js';
import type { TrustProxy } from './trusted-proxies.js';

/**
 * JSON lines go to `destination` (tests), else to the file `fd` (a descriptor or a path; default
 * stdout) through pino's asynchronous writer, as `pino()` writes to stdout.
 */
export function createLogger(
  format: LogFormat,
  level: LogLevel,
  output: { destination?: pino.DestinationStream; fd?: number | string } = {},
): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') {
    return pino(options, output.destination ?? pino.destination({ dest: output.fd ?? 1, sync: false }));
  }
  // pino-pretty in this thread, not as a worker transport: it is for humans at a terminal.
  return pino(options, pretty({ colorize: process.stdout.isTTY, sync: true }));
}

export function logRequests(logger: Logger, trustProxy: TrustProxy): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const start = performance.now();
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    const socket = outgoing?.socket;
    const writtenBefore = socket?.bytesWritten ?? 0;
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
    // On Node the line is written once the answer is sent, with the bytes it took on the wire
    // (status line and headers included; answers on one connection go one after another).
    // Under app.request() (tests) there is no socket: it is written at once, without them.
    if (outgoing && socket) {
      outgoing.once('close', () => write(socket.bytesWritten - writtenBefore));
    } else {
      write(undefined);
    }
  };
}
