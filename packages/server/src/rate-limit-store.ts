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

import type { RateLimitSettings } from './types.js';
import { type BucketStore, memoryBuckets } from './rate-limit.js';
import { type RedisStoreSettings, redisBuckets } from './redis-buckets.js';

/** The buckets the settings ask for; `close` lets go of Redis at shutdown. */
export function createBucketStore(
  limit: RateLimitSettings,
  store: RedisStoreSettings | undefined,
  options: { registry?: Registry; logger?: Pick<Logger, 'warn' | 'info'> } = {},
): BucketStore & { close(): Promise<void> } {
  if (!store) return { ...memoryBuckets(limit), close: async () => {} };
  return redisBuckets(limit, store, options);
}
