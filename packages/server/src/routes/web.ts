/** GET /*: the built web client (packages/web/dist), or a 503 that says how to build it. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

import type { ServerEnv } from '../context.js';

/** The @emotion/web package's dist: the workspace's packages/web, or the installed package. */
export const DEFAULT_WEB_ROOT = join(
  dirname(createRequire(import.meta.url).resolve('@emotion/web/package.json')),
  'dist',
);

export function webRoutes(webRoot: string) {
  const app = new Hono<ServerEnv>();
  if (existsSync(webRoot)) return app.use('/*', serveStatic({ root: webRoot }));
  return app.get('/', (c) =>
    c.text(`The web client is not built (${webRoot} is missing): run "pnpm build" at the repository root.\n`, 503),
  );
}
