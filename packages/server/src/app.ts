/**
 * The HTTP routes, built around an engine that is already loaded: the app holds no state
 * of its own, so tests drive it with `app.request()` and no socket.
 */
import type { Engine } from '@emotion/core';
import { Hono } from 'hono';

/** `engine` serves the analysis routes (/predict comes next); /health only needs it to exist. */
export function createApp(engine: Engine): Hono {
  const app = new Hono();
  // The engine exists, so its models loaded: that is all "healthy" means for now.
  app.get('/health', (c) => c.json({ status: 'ok' }));
  return app;
}
