/**
 * Token buckets in Redis (RATE_LIMIT_STORE=redis://…), so every replica takes from the same
 * bucket: a fleet of N enforces one limit per caller, not N, and a restart refills nothing.
 *
 * Each take is one Lua script (EVALSHA): read the bucket, refill it, take a token, write it
 * back, all atomic in Redis, so two replicas taking at once cannot both spend the last token.
 * The arithmetic is memoryBuckets' (rate-limit.ts), on Redis's clock (TIME) by default so that
 * replicas with skewed clocks cannot mint tokens by alternating. Buckets expire once they would
 * be full again, so idle callers cost Redis no memory.
 *
 * When Redis cannot answer within RATE_LIMIT_STORE_TIMEOUT_MS (down, unreachable, stalled),
 * RATE_LIMIT_STORE_FAILURE decides: `local` (default) takes from this process's own buckets,
 * the limit then holding per replica (N× looser) until Redis is back; `closed` answers 503.
 * Either way `emotion_rate_limit_store_failures_total` counts it and the log says so once per
 * outage. Why `local` is the default: docs/fleet.md.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { RateLimitSettings, RedisStoreSettings } from './types.js';
import { ServerBusyError } from './errors.js';
import { redisClient, storeHealth, whenConnected } from './redis-store-health.js';
import { type BucketStore, memoryBuckets, type TakeResult, takeResult } from './rate-limit.js';

export type { RedisStoreSettings } from './types.js';

const KEY_PREFIX = 'emotion:ratelimit:';

// KEYS[1]: the bucket, a hash {tokens, at}. ARGV: tokens per ms, burst, now in ms ('' = Redis's
// clock), the shortest expiry in ms.
// Numbers go back as strings: Redis truncates a Lua number in a reply to an integer.
const TAKE_SCRIPT = `
local perMs = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local text = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', text, 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), math.ceil((burst - tokens) / perMs) + 1))
return {allowed, text}
`;

type ScriptedRedis = Redis & {
  takeBucket(key: string, perMs: string, burst: string, now: string, minExpiryMs: string): Promise<[number, string]>;
};

export interface RedisBucketsOptions {
  /** Where the failure metrics go; none: not counted. */
  registry?: Registry;
  /** Where outages are reported (once each, not per request). */
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** `redis` (default): Redis's TIME; `caller`: take()'s nowMs, for tests that set the clock. */
  clock?: 'redis' | 'caller';
  /** Prepended to every bucket's key (tests keep runs apart with it). */
  keyPrefix?: string;
}

export interface RedisBuckets extends BucketStore {
  /** Resolves once connected (or rejects after a failed first try); takes need not wait for it. */
  connected(): Promise<void>;
  close(): Promise<void>;
}

export function redisBuckets(
  limit: Pick<RateLimitSettings, 'perSecond' | 'burst'>,
  settings: RedisStoreSettings,
  options: RedisBucketsOptions = {},
): RedisBuckets {
  const redis = redisClient(settings) as ScriptedRedis;
  redis.defineCommand('takeBucket', { numberOfKeys: 1, lua: TAKE_SCRIPT });

  const fallback = memoryBuckets(limit);
  const prefix = KEY_PREFIX + (options.keyPrefix ?? '');
  const perMs = String(limit.perSecond / 1000);
  const burst = String(limit.burst);
  const health = storeHealth({
    subject: 'rate limits',
    shared: 'buckets are shared',
    instead: { local: "this process's own buckets", closed: '503 to every caller' },
    onFailure: settings.onFailure,
    announceStart: true,
    logger: options.logger,
    registry: options.registry,
  });
  // ioredis reports connection trouble as 'error' events; unheard, it prints them itself.
  redis.on('error', (error: Error) => health.markDown(error.message));
  redis.on('close', () => health.markDown('connection closed'));
  redis.on('ready', () => health.connected());

  const failed = (key: string, nowMs: number): TakeResult => {
    health.countFallback();
    if (settings.onFailure === 'closed') throw new ServerBusyError(1);
    return fallback.takeNow(key, nowMs);
  };

  return {
    async take(key, nowMs) {
      if (redis.status !== 'ready') {
        // Still connecting at start is no outage (ioredis reports a failed connection itself).
        if (!health.starting) health.markDown(`connection ${redis.status}`);
        return failed(key, nowMs);
      }
      if (health.pausing) return failed(key, nowMs);
      try {
        // On the caller's clock Redis's expiry runs on another one (its own): then it only
        // bounds memory, and must not forget a bucket the caller's clock has not refilled.
        const [now, minExpiryMs] = options.clock === 'caller' ? [String(nowMs), '60000'] : ['', '0'];
        const [allowed, tokens] = await redis.takeBucket(prefix + key, perMs, burst, now, minExpiryMs);
        health.markUp();
        return takeResult(allowed === 1, Number(tokens), limit);
      } catch (error) {
        health.markDown((error as Error).message, true);
        return failed(key, nowMs);
      }
    },
    connected: () => whenConnected(redis),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The URL as logs may show it: without its password. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable)';
  }
}
