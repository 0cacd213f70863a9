/**
 * CORS for the API routes. Preflights (OPTIONS) are Hono's `cors`. Other requests get the same
 * headers, set before the handler runs: Hono's `cors` sets them on `c.res` at that point, which
 * creates a Response early, and Hono then copies it into the handler's answer through
 * `Response.body`, which sends every answer down @hono/node-server's slow path (the body read
 * back as a web stream): measured, the largest cost of a small request (bench/RESULTS.md).
 * test/cors.test.ts checks that both give the same headers.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

export interface CorsSettings {
  /** `*`, or the origins allowed (CORS_ORIGINS). */
  origin: '*' | string[];
  /** Response headers a browser script may read. */
  exposeHeaders?: string[];
}

export function corsHeaders({ origin, exposeHeaders = [] }: CorsSettings): MiddlewareHandler {
  const preflight = cors({ origin, exposeHeaders });
  const expose = exposeHeaders.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const requested = c.req.header('origin') ?? '';
    const allowed = origin === '*' ? '*' : origin.includes(requested) ? requested : undefined;
    if (allowed) c.header('Access-Control-Allow-Origin', allowed);
    if (expose) c.header('Access-Control-Expose-Headers', expose);
    if (origin !== '*') c.header('Vary', 'Origin', { append: true });
    await next();
  };
}
