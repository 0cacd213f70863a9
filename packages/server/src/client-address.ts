/** The address a request comes from, for rate limits and logs. */
import type { IncomingMessage } from 'node:http';

import type { Context } from 'hono';

import type { ServerEnv } from './context.js';
import { type Address, type IPv6, network64, parseAddress, type TrustProxy } from './trusted-proxies.js';

/**
 * The socket's peer, or the address a trusted proxy says it forwarded for. Each proxy appends
 * its own peer to X-Forwarded-For, so the header is read from its end: while the address we have
 * is a trusted proxy's (by address, or one of the first N hops with a hop count), the entry
 * before it is believed. The first address that is not a trusted proxy is the client. An entry
 * that is no valid IP address stops the walk at the proxy that wrote it: junk never becomes
 * an address (nor a fresh rate-limit bucket). With 0 the header is ignored.
 */
export function clientAddress(c: Context, trustProxy: TrustProxy): string {
  return clientIp(c, trustProxy)?.toString() ?? 'unknown';
}

function clientIp(c: Context, trustProxy: TrustProxy): Address | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  let client = parseAddress(incoming?.socket?.remoteAddress ?? '');
  if (!client || trustProxy === 0) return client;
  const forwarded = c.req.header('x-forwarded-for');
  if (!forwarded) return client;
  const entries = forwarded.split(',');
  for (let hop = 0; hop < entries.length; hop++) {
    const trusted = typeof trustProxy === 'number' ? hop < trustProxy : trustProxy.trusts(client);
    if (!trusted) break;
    const previous = parseAddress((entries[entries.length - 1 - hop] ?? '').trim());
    if (!previous) break;
    client = previous;
  }
  return client;
}

/**
 * The caller's rate-limit bucket: `key:<name>` for a right API key, else `ip:<address>`, an IPv6
 * address by its /64 (what one subscriber is usually given, so rotating within it buys nothing).
 * The kinds keep key names and addresses apart: no header can name another caller's bucket.
 */
export function callerBucket(c: Context<ServerEnv>, trustProxy: TrustProxy): string {
  const keyName = c.get('keyName');
  if (keyName !== undefined) return `key:${keyName}`;
  const ip = clientIp(c, trustProxy);
  if (!ip) return 'ip:unknown';
  return ip.kind() === 'ipv4' ? `ip:${ip.toString()}` : `ip:${network64(ip as IPv6)}/64`;
}
