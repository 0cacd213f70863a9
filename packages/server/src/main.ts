/**
 * The server: listen on HOST:PORT (default 127.0.0.1:5000) at once, load the engine
 * meanwhile (/health says 503 "loading" until it is ready, and requests wait for it), and on
 * SIGTERM or SIGINT stop accepting connections, let in-flight requests finish, then exit.
 *
 * Run it through start.cjs (`pnpm start`), which sizes libuv's thread pool to
 * INFERENCE_THREADS first; run directly, the pool is whatever UV_THREADPOOL_SIZE says (4 when
 * unset), and a warning says so.
 */
import { createEngine } from '@emotion/core';
import type { Server } from 'node:http';

import { serve } from '@hono/node-server';

import { createApp } from './app.js';
import { inferenceThreads, libuvPoolSize, listenConfig, maxBodyBytes, maxQueue } from './config.js';

/** How long in-flight requests get to finish after SIGTERM before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

const { host, port } = listenConfig();
const bodyBytes = maxBodyBytes();
const threads = inferenceThreads();
// What really runs in parallel is the pool libuv started, so the queue is sized from it.
const poolThreads = libuvPoolSize();
if (poolThreads !== threads) {
  console.warn(
    `emotion server: libuv's thread pool has ${poolThreads} threads (UV_THREADPOOL_SIZE), not INFERENCE_THREADS=${threads}; ` +
      'start the server with dist/start.cjs (pnpm start) to size it',
  );
}
const queue = maxQueue(poolThreads);

// One ONNX Runtime thread per inference: requests already run in parallel on the pool's
// threads, and pool threads × ORT threads must not exceed the cores.
const engine = createEngine({ intraThreads: 1 });
engine.catch((error: unknown) => {
  console.error('emotion server: the engine failed to load:', error);
  process.exit(1);
});

const app = createApp(engine, {
  maxBodyBytes: bodyBytes,
  maxQueue: queue,
  webRoot: process.env.WEB_ROOT || undefined,
  log: process.env.LOG_REQUESTS === '0' ? undefined : (line) => console.log(line),
});
const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
  console.log(
    `emotion server listening on http://${host}:${info.port} (inference threads: ${poolThreads}, queue: ${queue})`,
  );
}) as Server;

engine.then(
  () => console.log('emotion server: engine loaded, ready'),
  () => {},
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`emotion server: ${signal}, finishing in-flight requests`);
    // close() stops accepting, closes idle keep-alive sockets, and calls back once the
    // requests still running have been answered.
    server.close(() => process.exit(0));
    // A keep-alive socket whose request finishes after close() would otherwise stay open.
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      console.error(`emotion server: requests still running after ${SHUTDOWN_GRACE_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  });
}
