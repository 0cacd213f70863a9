/**
 * Entry point: listen on HOST:PORT (default 127.0.0.1:5000) at once, load the engine
 * meanwhile (/health says 503 "loading" until it is ready, and requests wait for it), and on
 * SIGTERM or SIGINT stop accepting connections, let in-flight requests finish, then exit.
 */
import { createEngine } from '@emotion/core';
import type { Server } from 'node:http';

import { serve } from '@hono/node-server';

import { createApp } from './app.js';
import { listenConfig, maxBodyBytes } from './config.js';

/** How long in-flight requests get to finish after SIGTERM before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

const { host, port } = listenConfig();
const engine = createEngine();
engine.catch((error: unknown) => {
  console.error('emotion server: the engine failed to load:', error);
  process.exit(1);
});

const app = createApp(engine, {
  maxBodyBytes: maxBodyBytes(),
  webRoot: process.env.WEB_ROOT || undefined,
  log: process.env.LOG_REQUESTS === '0' ? undefined : (line) => console.log(line),
});
const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
  console.log(`emotion server listening on http://${host}:${info.port}`);
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
