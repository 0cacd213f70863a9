/** The address a request comes from, for rate limits and logs. */
import type { IncomingMessage } from 'node:http';

import type { Context } from 'hono';

/**
 * The socket's peer, or with `trustProxy` = N proxies in front of us, the address the N-th proxy
 * from us saw: each proxy appends its peer to X-Forwarded-For, so the entries a client wrote
 * itself come first and only the last N can be trusted. With 0 the header is ignored, since
 * anyone can send it.
 */
export function clientAddress(c: Context, trustProxy: number): string {
  if (trustProxy > 0) {
    const forwarded = c.req.header('x-forwarded-for');
    if (forwarded) {
      const hops = forwarded
        .split(',')
        .map((hop) => hop.trim())
        .filter(Boolean);
      const trusted = hops[Math.max(0, hops.length - trustProxy)];
      if (trusted) return trusted;
    }
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
