/**
 * GET /health (the engine's state and the admission queue's depth), and the probes an
 * orchestrator wants: /health/live while the process answers at all, /health/ready while it
 * should get traffic (loaded, not draining after SIGTERM).
 */
import { firstLine } from '../errors.js';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';

import type { ServerEnv } from '../context.js';
import { corsHeaders } from '../cors.js';
import type { EngineSlot } from '../engine-slot.js';
import { json } from '../openapi-common.js';
import { healthAnswer, probeAnswer } from '../schemas.js';

export function healthRoutes(slot: EngineSlot, draining: () => boolean) {
  const app = new OpenAPIHono<ServerEnv>();
  app.use('/health', corsHeaders({ origin: '*' }));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['health'],
      summary: 'The engine’s state and the admission queue’s depth',
      responses: {
        200: json(healthAnswer, 'The engine is loaded'),
        503: json(healthAnswer, 'The engine is loading, or failed to load (`error` says why)'),
      },
    }),
    (c) => {
      const queue = { inFlight: slot.admission.inFlight, maxQueue: slot.admission.limit };
      if (slot.ready) return c.json({ status: 'ok' as const, ...queue }, 200);
      if (slot.loadError !== undefined)
        return c.json({ status: 'error' as const, error: describe(slot.loadError), ...queue }, 503);
      return c.json({ status: 'loading' as const, ...queue }, 503);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health/live',
      tags: ['health'],
      summary: 'Liveness: the process is up and its event loop answers',
      responses: { 200: json(probeAnswer, 'Always `{"status":"live"}`') },
    }),
    (c) => c.json({ status: 'live' as const }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health/ready',
      tags: ['health'],
      summary: 'Readiness: the engine is loaded and the server is not shutting down',
      responses: {
        200: json(probeAnswer, '`{"status":"ready"}`'),
        503: json(probeAnswer, '`loading`, `error` (the engine failed to load) or `draining` (after SIGTERM)'),
      },
    }),
    (c) => {
      if (draining()) return c.json({ status: 'draining' as const }, 503);
      if (slot.ready) return c.json({ status: 'ready' as const }, 200);
      return c.json({ status: slot.loadError !== undefined ? ('error' as const) : ('loading' as const) }, 503);
    },
  );
  return app;
}

function describe(error: unknown): string {
  return error instanceof Error ? firstLine(error.message) : String(error);
}
