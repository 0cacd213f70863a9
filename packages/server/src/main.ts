/** Entry point: load the engine, then listen on HOST:PORT (default 127.0.0.1:5000). */
import { createEngine } from '@emotion/core';
import { serve } from '@hono/node-server';

import { createApp } from './app.js';
import { listenConfig } from './config.js';

const { host, port } = listenConfig();
// Load before listening, so whatever answers on the port is ready to serve.
const engine = await createEngine();
const server = serve({ fetch: createApp(engine).fetch, hostname: host, port }, (info) => {
  console.log(`emotion server listening on http://${host}:${info.port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
  });
}
