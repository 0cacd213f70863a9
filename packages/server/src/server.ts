/**
 * The server as a function: `startServer(settings)` listens on HOST:PORT at once, loads the
 * engine meanwhile (/health says 503 "loading" until it is ready, and requests wait for it), and
 * hands back what stops it. Nothing runs on import: main.ts (`pnpm start`) and `emotion serve`
 * call it.
 *
 * Shutdown (SIGTERM or SIGINT, or `shutdown()`): /health/ready turns 503, SHUTDOWN_DELAY_MS later
 * the listener stops accepting, idle keep-alive sockets close, streams get 1001 (and are cut if
 * their client does not answer, stream.ts), requests in flight finish; then it resolves 0, or 1
 * if requests were still running after SHUTDOWN_GRACE_MS.
 */
import type { Server } from 'node:http';

import { createEngine } from '@emotion/core';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';

import { createApp, metricsHandler } from './app.js';
import { describeSettings, type Settings } from './config.js';
import { createMetrics } from './metrics.js';
import { createBucketStore } from './rate-limit-store.js';
import { redisStreamLeases } from './redis-stream-leases.js';
import { createLogger } from './request-log.js';

/** How long in-flight requests get to finish after shutdown begins before their sockets are cut. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  server: Server;
  /** Begins the shutdown; resolves with the exit code it earned (0, or 1 if requests were cut). */
  shutdown(reason?: string): Promise<number>;
}

export interface StartOptions {
  logger?: Logger;
  /** Exit the process on SIGTERM/SIGINT once shut down (default true: it is the process's server). */
  handleSignals?: boolean;
}

export function startServer(settings: Settings, options: StartOptions = {}): RunningServer {
  const log = options.logger ?? createLogger(settings.logFormat, settings.logLevel);
  const { host, port } = settings.listen;
  log.info({ settings: describeSettings(settings) }, 'emotion server: configuration');

  // One ONNX Runtime thread per inference: inferences already run in parallel on the engine's
  // threads, and engine threads × ORT threads must not exceed the cores.
  const engine = createEngine({ ...settings.engine, intraThreads: 1 });
  engine.then(
    () => log.info('emotion server: engine loaded, ready'),
    (error: unknown) => {
      log.fatal({ err: error }, 'emotion server: the engine failed to load');
      process.exit(1);
    },
  );

  let draining = false;
  const metrics = createMetrics({ processMetrics: true });
  // In memory, or in Redis shared by every replica (RATE_LIMIT_STORE).
  const rateLimitStore =
    settings.rateLimit &&
    createBucketStore(settings.rateLimit, settings.rateLimitStore, { registry: metrics.registry, logger: log });
  // The same Redis makes the per-caller stream cap fleet-wide; made after the buckets, whose metrics it shares.
  const streamLeases =
    settings.rateLimitStore && redisStreamLeases(settings.rateLimitStore, { registry: metrics.registry, logger: log });
  const app = createApp(engine, {
    maxBodyBytes: settings.maxBodyBytes,
    maxQueue: settings.maxQueue,
    webRoot: settings.webRoot,
    logger: log,
    logRequests: settings.logRequests,
    apiKeys: settings.apiKeys,
    rateLimit: settings.rateLimit,
    rateLimitStore,
    streamLeases,
    trustProxy: settings.trustProxy,
    corsOrigins: settings.corsOrigins,
    metrics,
    serveMetrics: settings.metricsPort === undefined,
    draining: () => draining,
    streamLimits: settings.streamLimits,
  });
  const { keepAliveTimeout, ...serverOptions } = settings.httpTimeouts;
  const listen = (fetch: Hono['fetch'], onPort: number, websocket?: typeof app.streams.websocket) => {
    const server = serve({ fetch, websocket, hostname: host, port: onPort, serverOptions }) as Server;
    // A stalled client must not hold the metrics listener either: both get the same timeouts.
    server.keepAliveTimeout = keepAliveTimeout;
    return server;
  };
  const server = listen(app.fetch, port, app.streams.websocket);
  server.once('listening', () => {
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    log.info(
      `emotion server listening on http://${host}:${bound} (inference threads: ${settings.inferenceThreads}, queue: ${settings.maxQueue})`,
    );
  });
  app.streams.attach(server);
  // With a 'checkContinue' listener Node leaves `Expect: 100-continue` to us: the app sends the
  // 100 once the request has passed its key and rate-limit checks (guards.ts).
  server.on('checkContinue', (request, response) => server.emit('request', request, response));

  // Ops often keep metrics off the public listener: then they get one of their own.
  let metricsServer: Server | undefined;
  if (settings.metricsPort !== undefined) {
    metricsServer = listen(new Hono().get('/metrics', metricsHandler(metrics)).fetch, settings.metricsPort);
    metricsServer.once('listening', () =>
      log.info(`emotion server: metrics on http://${host}:${settings.metricsPort}/metrics`),
    );
  }

  let stopping: Promise<number> | undefined;
  const shutdown = (reason = 'shutdown') =>
    (stopping ??= new Promise<number>((resolve) => {
      // /health/ready says 503 from now on, so a load balancer stops sending; with
      // SHUTDOWN_DELAY_MS the listener stays open that long for it to notice.
      draining = true;
      log.info(`emotion server: ${reason}, finishing in-flight requests`);
      setTimeout(() => {
        // close() stops accepting, closes idle keep-alive sockets, and calls back once the
        // requests still running have been answered.
        server.close(() => {
          // The leases' close gives back the places of streams still closing (before exit cuts it short).
          void Promise.allSettled([rateLimitStore?.close(), streamLeases?.close()]).then(() => resolve(0));
        });
        app.streams.closeAll();
        metricsServer?.close();
        // A keep-alive socket whose request finishes after close() would otherwise stay open.
        setInterval(() => server.closeIdleConnections(), 100).unref();
        setTimeout(() => {
          log.error(`emotion server: requests still running after ${SHUTDOWN_GRACE_MS} ms, exiting`);
          resolve(1);
        }, SHUTDOWN_GRACE_MS).unref();
      }, settings.shutdownDelayMs);
    }));

  if (options.handleSignals !== false) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void shutdown(signal).then((code) => process.exit(code)));
    }
  }
  return { server, shutdown };
}
