/**
 * API keys (opt-in: on when API_KEYS or API_KEYS_FILE holds a key). A request presents its key
 * as `Authorization: Bearer <key>` or `X-API-Key: <key>`; the server keeps only the keys'
 * SHA-256, hashes what it is given and compares it with every stored hash in constant time, so
 * neither the answer's timing nor an early exit tells how much of a key was right.
 */
import crypto from 'node:crypto';

import type { Context, MiddlewareHandler } from 'hono';

import type { NamedKeyHash } from './config.js';
import type { ServerEnv } from './context.js';
import { UnauthorizedError } from './errors.js';

/** The key a request presents, if any. */
export function presentedKey(c: Context): string | undefined {
  const authorization = c.req.header('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return c.req.header('x-api-key')?.trim() || undefined;
}

/** The name of the stored key that `key` is, or undefined. Looks at every stored key each time. */
export function matchKey(keys: readonly NamedKeyHash[], key: string): string | undefined {
  const digest = crypto.createHash('sha256').update(key).digest();
  let name: string | undefined;
  for (const stored of keys) {
    if (crypto.timingSafeEqual(digest, stored.sha256) && name === undefined) name = stored.name;
  }
  return name;
}

/** Refuses a request without a right key (401, answered before its body is read). */
export function requireKey(keys: readonly NamedKeyHash[]): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const key = presentedKey(c);
    if (key === undefined) throw new UnauthorizedError('API key required (Authorization: Bearer <key>, or X-API-Key)');
    const name = matchKey(keys, key);
    if (name === undefined) throw new UnauthorizedError('Invalid API key');
    c.set('keyName', name);
    await next();
  };
}
