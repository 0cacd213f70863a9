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
