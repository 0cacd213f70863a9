/**
 * Where rate-limit buckets live: this process's memory (default), or Redis shared by every
 * replica (RATE_LIMIT_STORE=redis://host:6379). The settings that go with it:
 *
 *   RATE_LIMIT_STORE_PASSWORD    Redis's password (e.g. from a Secret), never logged
 *   RATE_LIMIT_STORE_TIMEOUT_MS  how long a take waits for Redis (default 100)
 *   RATE_LIMIT_STORE_FAILURE     when Redis does not answer: `local` (default), this process's
 *                                own buckets; `closed`, 503 with Retry-After: 1
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { RateLimitSettings } from './config.js';
import { type BucketStore, memoryBuckets } from './rate-limit.js';
import { type RedisStoreSettings, redactedUrl, redisBuckets, STORE_FAILURE_MODES } from './redis-buckets.js';

export const DEFAULT_STORE_TIMEOUT_MS = 100;

const COMPANIONS = ['RATE_LIMIT_STORE_PASSWORD', 'RATE_LIMIT_STORE_TIMEOUT_MS', 'RATE_LIMIT_STORE_FAILURE'];

/** RATE_LIMIT_STORE and its companions; undefined: buckets in memory. Throws naming the variable at fault. */
export function readStoreSettings(env: NodeJS.ProcessEnv, rateLimitOn: boolean): RedisStoreSettings | undefined {
  const raw = env.RATE_LIMIT_STORE?.trim() || 'memory';
  if (raw === 'memory') {
    const stray = COMPANIONS.find((name) => env[name]);
    if (stray) throw new Error(`${stray} needs RATE_LIMIT_STORE=redis://…`);
    return undefined;
  }
  if (!/^rediss?:\/\/[^/\s]+/.test(raw) || !URL.canParse(raw)) {
    throw new Error(
      `RATE_LIMIT_STORE must be memory or a redis:// (or rediss://) URL such as redis://redis:6379, got "${redactedUrl(raw)}"`,
    );
  }
  if (!rateLimitOn) throw new Error('RATE_LIMIT_STORE needs RATE_LIMIT');
  const timeoutRaw = env.RATE_LIMIT_STORE_TIMEOUT_MS || String(DEFAULT_STORE_TIMEOUT_MS);
  const timeoutMs = Number(timeoutRaw);
  if (!/^\d+$/.test(timeoutRaw) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new Error(`RATE_LIMIT_STORE_TIMEOUT_MS must be a whole number from 1 to 60000, got "${timeoutRaw}"`);
  }
  const onFailure = env.RATE_LIMIT_STORE_FAILURE || 'local';
  if (!(STORE_FAILURE_MODES as readonly string[]).includes(onFailure)) {
    throw new Error(`RATE_LIMIT_STORE_FAILURE must be one of ${STORE_FAILURE_MODES.join(', ')}, got "${onFailure}"`);
  }
  return {
    url: raw,
    password: env.RATE_LIMIT_STORE_PASSWORD || undefined,
    timeoutMs,
    onFailure: onFailure as RedisStoreSettings['onFailure'],
  };
}

/** The store as the start-up log shows it: no password. */
export function describeStore(store: RedisStoreSettings | undefined): string {
  if (!store) return 'memory';
  const password = store.password !== undefined ? ', password set' : '';
  return `${redactedUrl(store.url)} (timeout ${store.timeoutMs} ms, on failure: ${store.onFailure}${password})`;
}

/** The buckets the settings ask for; `close` lets go of Redis at shutdown. */
export function createBucketStore(
  limit: RateLimitSettings,
  store: RedisStoreSettings | undefined,
  options: { registry?: Registry; logger?: Pick<Logger, 'warn' | 'info'> } = {},
): BucketStore & { close(): Promise<void> } {
  if (!store) return { ...memoryBuckets(limit), close: async () => {} };
  return redisBuckets(limit, store, options);
}
