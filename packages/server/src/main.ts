/**
 * The server: read every setting once (config.ts; a bad one stops it here, naming the
 * variable), listen on HOST:PORT (default 127.0.0.1:5000) at once, load the engine meanwhile
 * (/health says 503 "loading" until it is ready, and requests wait for it), and on SIGTERM or
 * SIGINT turn /health/ready to 503, wait SHUTDOWN_DELAY_MS (default 0), stop accepting
 * connections, let in-flight requests finish, then exit.
 *
 * Run it through start.cjs (`pnpm start`), which sizes libuv's thread pool to
 * INFERENCE_THREADS first; run directly, the pool is whatever UV_THREADPOOL_SIZE says (4 when
 * unset), and a warning says so.
 */
import { createEngine } from '@emotion/core';
import type { Server } from 'node:http';

import { serve } from '@hono/node-server';
import { Hono } from 'hono';

import { createApp, metricsHandler } from './app.js';
import { DEFAULT_QUEUE_PER_THREAD, describeSettings, libuvPoolSize, readSettings, type Settings } from './config.js';
import { createMetrics } from './metrics.js';
import { createBucketStore } from './rate-limit-store.js';
import { createLogger } from './request-log.js';

/** How long in-flight requests get to finish after SIGTERM before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

let settings: Settings;
try {
  settings = readSettings();
} catch (error) {
  console.error(`emotion server: ${(error as Error).message}`);
  process.exit(1);
}
const log = createLogger(settings.logFormat, settings.logLevel);
const { host, port } = settings.listen;
const threads = settings.inferenceThreads;
// What really runs in parallel is the pool libuv started, so the queue is sized from it.
const poolThreads = libuvPoolSize();
if (poolThreads !== threads) {
  log.warn(
    `emotion server: libuv's thread pool has ${poolThreads} threads (UV_THREADPOOL_SIZE), not INFERENCE_THREADS=${threads}; ` +
      'start the server with dist/start.cjs (pnpm start) to size it',
  );
}
const queue = settings.maxQueue ?? DEFAULT_QUEUE_PER_THREAD * poolThreads;
log.info(
  { settings: { ...describeSettings(settings), maxQueue: queue, poolThreads } },
  'emotion server: configuration',
);

// One ONNX Runtime thread per inference: requests already run in parallel on the pool's
// threads, and pool threads × ORT threads must not exceed the cores.
const engine = createEngine({
  intraThreads: 1,
  maxPixels: settings.maxImagePixels,
  smallFaceDetector: settings.smallFaceDetector,
  minFaceSize: settings.minFaceSize,
});
engine.catch((error: unknown) => {
  log.fatal({ err: error }, 'emotion server: the engine failed to load');
  process.exit(1);
});

let draining = false;
const metrics = createMetrics({ processMetrics: true });
// In memory, or in Redis shared by every replica (RATE_LIMIT_STORE).
const rateLimitStore =
  settings.rateLimit &&
  createBucketStore(settings.rateLimit, settings.rateLimitStore, { registry: metrics.registry, logger: log });
const app = createApp(engine, {
  maxBodyBytes: settings.maxBodyBytes,
  maxQueue: queue,
  webRoot: settings.webRoot,
  logger: log,
  logRequests: settings.logRequests,
  apiKeys: settings.apiKeys,
  rateLimit: settings.rateLimit,
  rateLimitStore,
  trustProxy: settings.trustProxy,
  corsOrigins: settings.corsOrigins,
  metrics,
  serveMetrics: settings.metricsPort === undefined,
  draining: () => draining,
  streamLimits: settings.streamLimits,
});
const { keepAliveTimeout, ...serverOptions } = settings.httpTimeouts;
const server = serve(
  { fetch: app.fetch, websocket: app.streams.websocket, hostname: host, port, serverOptions },
  (info) => {
    log.info(
      `emotion server listening on http://${host}:${info.port} (inference threads: ${poolThreads}, queue: ${queue})`,
    );
  },
) as Server;
app.streams.attach(server);
server.keepAliveTimeout = keepAliveTimeout;
// With a 'checkContinue' listener Node leaves `Expect: 100-continue` to us: the app sends the
// 100 once the request has passed its key and rate-limit checks (app.ts, continueUpload).
server.on('checkContinue', (request, response) => server.emit('request', request, response));

// Ops often keep metrics off the public listener: then they get one of their own.
let metricsServer: Server | undefined;
if (settings.metricsPort !== undefined) {
  const metricsApp = new Hono().get('/metrics', metricsHandler(metrics));
  // The same timeouts as the main listener: a stalled client must not hold this one either.
  metricsServer = serve(
    { fetch: metricsApp.fetch, hostname: host, port: settings.metricsPort, serverOptions },
    (info) => {
      log.info(`emotion server: metrics on http://${host}:${info.port}/metrics`);
    },
  ) as Server;
  metricsServer.keepAliveTimeout = keepAliveTimeout;
}

engine.then(
  () => log.info('emotion server: engine loaded, ready'),
  () => {},
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // /health/ready says 503 from now on, so a load balancer stops sending; with
    // SHUTDOWN_DELAY_MS the listener stays open that long for it to notice.
    draining = true;
    log.info(`emotion server: ${signal}, finishing in-flight requests`);
    setTimeout(() => {
      // close() stops accepting, closes idle keep-alive sockets, and calls back once the
      // requests still running have been answered.
      server.close(() => process.exit(0));
      app.streams.closeAll();
      metricsServer?.close();
      // A keep-alive socket whose request finishes after close() would otherwise stay open.
      setInterval(() => server.closeIdleConnections(), 100).unref();
      setTimeout(() => {
        log.error(`emotion server: requests still running after ${SHUTDOWN_GRACE_MS} ms, exiting`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
    }, settings.shutdownDelayMs);
  });
}
