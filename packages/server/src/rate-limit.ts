/**
 * Rate limits: a token bucket per caller (its API key's name when keys are on, else its
 * address). A bucket holds up to `burst` tokens and refills at `perSecond`; each request takes
 * one, and a request that finds less than one is refused with 429 before its body is read.
 *
 * Answers carry the `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` trio (the
 * IETF httpapi draft's first form, the one most clients read): the bucket's size, the whole
 * tokens left, and the seconds until it is full again; a 429 adds `Retry-After`, the seconds
 * until one token is back.
 *
 * hono-rate-limiter was not used: it counts fixed windows and has no burst. Buckets live in
 * process memory (`memoryBuckets`) by default; replicas behind one load balancer then each keep
 * their own. `redisBuckets` (redis-buckets.ts, RATE_LIMIT_STORE=redis://…) shares them: the same
 * arithmetic, in one Lua script per take. docs/fleet.md says how the limit behaves in a fleet.
 */
import type { MiddlewareHandler } from 'hono';

import type { RateLimitSettings } from './types.js';
import type { ServerEnv } from './context.js';
import { RateLimitedError } from './errors.js';

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one token is back (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * Where buckets live. `take` is asynchronous because a shared store answers over the network;
 * a store that cannot answer rejects (the caller answers 503), or answers from a fallback.
 */
export interface BucketStore {
  take(key: string, nowMs: number): Promise<TakeResult>;
}

/**
 * A take's answer from the bucket's tokens after it (whatever store did the arithmetic), so
 * every store rounds alike.
 */
export function takeResult(
  allowed: boolean,
  tokens: number,
  { perSecond, burst }: Pick<RateLimitSettings, 'perSecond' | 'burst'>,
): TakeResult {
  const perMs = perSecond / 1000;
  return {
    allowed,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((burst - tokens) / perMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)),
  };
}

/** Callers tracked at most; past it the longest-tracked is forgotten (and starts over full). */
export const MAX_BUCKETS = 100_000;

/** The store's arithmetic, synchronous: redis-buckets.ts falls back to it when Redis is down. */
export interface MemoryBuckets extends BucketStore {
  readonly size: number;
  takeNow(key: string, nowMs: number): TakeResult;
}

export function memoryBuckets(
  limit: Pick<RateLimitSettings, 'perSecond' | 'burst'>,
  maxBuckets = MAX_BUCKETS,
): MemoryBuckets {
  const { perSecond, burst } = limit;
  const perMs = perSecond / 1000;
  const refillMs = burst / perMs;
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  let sweptMs = 0;
  const takeNow = (key: string, nowMs: number): TakeResult => {
    // A bucket untouched for a whole refill is full, the same as no bucket: forget it, so
    // the map holds only the callers of the last refill period.
    if (nowMs - sweptMs >= refillMs) {
      for (const [name, bucket] of buckets) if (nowMs - bucket.atMs >= refillMs) buckets.delete(name);
      sweptMs = nowMs;
    }
    let bucket = buckets.get(key);
    if (!bucket) {
      // Many addresses within one refill period (a spread-out flood) must not grow the map
      // without bound: a Map iterates in insertion order, so its first key is the oldest.
      if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value as string);
      bucket = { tokens: burst, atMs: nowMs };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) * perMs);
    bucket.atMs = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return takeResult(allowed, bucket.tokens, limit);
  };
  return {
    get size() {
      return buckets.size;
    },
    take: (key, nowMs) => Promise.resolve(takeNow(key, nowMs)),
    takeNow,
  };
}

export function rateLimit(
  settings: RateLimitSettings,
  callerOf: (c: Parameters<MiddlewareHandler<ServerEnv>>[0]) => string,
  options: { store?: BucketStore; onRefused?: () => void } = {},
): MiddlewareHandler<ServerEnv> {
  const store = options.store ?? memoryBuckets(settings);
  return async (c, next) => {
    const result = await store.take(callerOf(c), Date.now());
    const headers = {
      'RateLimit-Limit': String(settings.burst),
      'RateLimit-Remaining': String(result.remaining),
      'RateLimit-Reset': String(result.resetSeconds),
    };
    if (!result.allowed) {
      options.onRefused?.();
      throw new RateLimitedError(result.retryAfterSeconds, headers);
    }
    // Set before the answer exists: Hono copies the whole Response to add a header afterwards.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}
