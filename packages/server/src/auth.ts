/**
 * API keys (opt-in: on when API_KEYS or API_KEYS_FILE holds a key). A request presents its key
 * as `Authorization: Bearer <key>` or `X-API-Key: <key>`; a WebSocket upgrade, whose headers a
 * browser cannot set, may present it as a `Sec-WebSocket-Protocol` entry instead (below). The
 * server keeps only the keys'
 * SHA-256, hashes what it is given and compares it with every stored hash in constant time, so
 * neither the answer's timing nor an early exit tells how much of a key was right.
 */
import crypto from 'node:crypto';

import type { Context, MiddlewareHandler } from 'hono';

import type { NamedKeyHash } from './types.js';
import type { ServerEnv } from './context.js';
import { UnauthorizedError } from './errors.js';

/**
 * The WebSocket subprotocol of /v1/stream. A browser's `new WebSocket(url, protocols)` is the one
 * header it lets a page set on an upgrade, so the page offers
 * `["emotion.v1", "emotion.key.<base64url(key)>"]`, as Kubernetes' API server takes bearer
 * tokens from browsers. Chosen over a short-lived ticket (an HTTP call trading the key for a
 * one-use token) because it needs no ticket state shared by every replica and no extra round
 * trip, and like a header it stays out of URLs, so out of access logs and browser history; the
 * query string never carries a key. The server answers with `emotion.v1` alone
 * (`chooseStreamProtocol`), never echoing the key.
 */
export const STREAM_PROTOCOL = 'emotion.v1';
export const KEY_PROTOCOL_PREFIX = 'emotion.key.';

/**
 * The subprotocol to answer an upgrade with, from those the client offered: `emotion.v1`, or
 * none. A browser that offered protocols fails the handshake unless one comes back, so the
 * WebSocket server must answer with this (ws: `handleProtocols`).
 */
export function chooseStreamProtocol(offered: Iterable<string>): string | undefined {
  for (const protocol of offered) if (protocol.trim() === STREAM_PROTOCOL) return STREAM_PROTOCOL;
  return undefined;
}

/**
 * The key a request presents, if any: `Authorization: Bearer`, else `X-API-Key`, else (on a
 * WebSocket upgrade only) an `emotion.key.` subprotocol. Another Authorization scheme (Basic, as
 * a browser may add for a proxy's login) does not hide an X-API-Key.
 */
export function presentedKey(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (bearer) return bearer[1];
  return c.req.header('x-api-key')?.trim() || protocolKey(c);
}

function protocolKey(c: Context): string | undefined {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return undefined;
  const offered = (c.req.header('sec-websocket-protocol') ?? '').split(',').map((protocol) => protocol.trim());
  const entry = offered.find((protocol) => protocol.startsWith(KEY_PROTOCOL_PREFIX));
  if (entry === undefined) return undefined;
  // Whatever does not decode to a key is still presented (and refused as an invalid key).
  return Buffer.from(entry.slice(KEY_PROTOCOL_PREFIX.length), 'base64url').toString('utf8') || entry;
}

/** The name of the stored key that `key` is, or undefined. Looks at every stored key each time. */
export function matchKey(keys: readonly NamedKeyHash[], key: string): string | undefined {
  const digest = crypto.hash('sha256', key, 'buffer');
  let name: string | undefined;
  for (const stored of keys) {
    if (crypto.timingSafeEqual(digest, stored.sha256) && name === undefined) name = stored.name;
  }
  return name;
}

/** Which stored key a request presents, or why it presents none. */
function checkKey(keys: readonly NamedKeyHash[], c: Context): { name: string } | { refusal: string } {
  const key = presentedKey(c);
  if (key === undefined) return { refusal: 'API key required (Authorization: Bearer <key>, or X-API-Key)' };
  const name = matchKey(keys, key);
  return name === undefined ? { refusal: 'Invalid API key' } : { name };
}

/** Refuses a request without a right key (401, answered before its body is read). */
export function requireKey(keys: readonly NamedKeyHash[]): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const checked = checkKey(keys, c);
    if ('refusal' in checked) throw new UnauthorizedError(checked.refusal);
    c.set('keyName', checked.name);
    await next();
  };
}

/**
 * The same check in two steps, so a rate limit can sit between them: `identifyKey` notes the
 * key's name, or why there is none, and `refuseWithoutKey` refuses then. Requests without a
 * right key are thereby limited per address, so a flood of them is refused with 429 too.
 */
export function identifyKey(keys: readonly NamedKeyHash[]): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const checked = checkKey(keys, c);
    if ('refusal' in checked) c.set('keyRefusal', checked.refusal);
    else c.set('keyName', checked.name);
    await next();
  };
}

export const refuseWithoutKey: MiddlewareHandler<ServerEnv> = async (c, next) => {
  const refusal = c.get('keyRefusal');
  if (refusal !== undefined) throw new UnauthorizedError(refusal);
  await next();
};
