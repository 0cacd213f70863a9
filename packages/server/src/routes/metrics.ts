/** GET /metrics: Prometheus' text format, on this app or on a listener of its own (METRICS_PORT). */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';

import { requireKey } from '../auth.js';
import type { NamedKeyHash } from '../types.js';
import type { ServerEnv } from '../context.js';
import type { Metrics } from '../metrics.js';
import { json, keySecurity } from '../openapi-common.js';
import { v1Error } from '../schemas.js';

/** GET /metrics: the registry in Prometheus' text format. */
export function metricsHandler(metrics: Metrics) {
  return async (c: Context) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
}

export function metricsRoutes(metrics: Metrics, keys: readonly NamedKeyHash[]) {
  const route = createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['ops'],
    summary: 'Prometheus metrics (text format 0.0.4); needs a key when keys are on',
    security: keySecurity(keys.length > 0),
    // Not an API route, yet it tells about the traffic: behind the key when keys are on.
    middleware: keys.length > 0 ? [requireKey(keys)] : [],
    responses: {
      200: {
        description: 'The metrics',
        content: {
          'text/plain': {
            schema: z.string(),
            example: 'emotion_http_requests_total{method="POST",route="/predict",status="200"} 3',
          },
        },
      },
      401: json(v1Error, 'API keys are on and the request has none, or a wrong one'),
    },
  });
  return new OpenAPIHono<ServerEnv>().openapi(route, metricsHandler(metrics) as never);
}
